// docker build (the real CLI, classic protocol) against berthd: the web-server recipe, cache hits and misses, history, inspect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useDaemon } from './harness';

const ctx = useDaemon();

const WEB = `# An image for running a web server
FROM busybox
MAINTAINER Ms. Nobody <nobody@example.com>
RUN mkdir -p /var/www/html /var/log/httpd && echo hello > /var/www/html/index.html
VOLUME ["/var/www/html", "/var/log/httpd"]
EXPOSE 80
CMD ["httpd", "-f", "-p", "80", "-h", "/var/www/html"]
`;

function contextDir(name: string, files: Record<string, string>): string {
  const dir = path.join(ctx.d.dir, name);
  for (const [f, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), body);
  }
  return dir;
}

test('docker build makes the web-server image: steps, config, history', async () => {
  const dir = contextDir('web', { Dockerfile: WEB });
  const r = await ctx.d.docker(['build', '--network', 'none', '-t', 'web:1', '-t', 'web:latest', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Step 1\/6 : FROM busybox\n ---> [0-9a-f]{12}\n/);
  assert.match(r.stdout, /Step 3\/6 : RUN mkdir -p \/var\/www\/html/);
  assert.match(r.stdout, / ---> Running in [0-9a-f]{12}\n/);
  assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged web:1\nSuccessfully tagged web:latest\n/);
  const info = JSON.parse((await ctx.d.docker(['image', 'inspect', 'web:1'])).stdout)[0];
  assert.equal(info.Author, 'Ms. Nobody <nobody@example.com>');
  assert.deepEqual(info.Config.ExposedPorts, { '80/tcp': {} });
  assert.deepEqual(info.Config.Volumes, { '/var/www/html': {}, '/var/log/httpd': {} });
  assert.deepEqual(info.Config.Cmd, ['httpd', '-f', '-p', '80', '-h', '/var/www/html']);
  assert.equal(info.RootFS.Layers.length, 2);
  const hist = await ctx.d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'web:1']);
  const lines = hist.stdout.replace(/\n$/, '').split('\n');
  assert.equal(lines.length, 6, hist.stdout);
  assert.equal(lines[0], '/bin/sh -c #(nop)  CMD ["httpd" "-f" "-p" "80" "-h" "/var/www/html"]');
  assert.equal(lines[3], '/bin/sh -c mkdir -p /var/www/html /var/log/httpd && echo hello > /var/www/html/index.html');
  const cat = await ctx.d.docker(['run', '--rm', '--network', 'none', 'web:1', 'cat', '/var/www/html/index.html']);
  assert.equal(cat.stdout, 'hello\n');

  const again = await ctx.d.docker(['build', '--network', 'none', '-t', 'web:1', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.stdout.match(/ ---> Using cache/g) ?? []).length, 5, again.stdout);
  assert.doesNotMatch(again.stdout, /Running in/);
  assert.match(again.stdout, new RegExp(`Successfully built ${info.Id.slice(7, 19)}`));
});
