// docker build (the real CLI, classic protocol) against berthd: the web-server recipe, cache hits and misses, history, inspect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, useDaemon } from './harness';
import { contextFolder } from './build-helpers';

const ctx = useDaemon();

const WEB = `# An image for running a web server
FROM busybox
MAINTAINER Ms. Nobody <nobody@example.com>
RUN mkdir -p /var/www/html /var/log/httpd && echo hello > /var/www/html/index.html
VOLUME ["/var/www/html", "/var/log/httpd"]
EXPOSE 80
CMD ["httpd", "-f", "-p", "80", "-h", "/var/www/html"]
`;

const contextDir = (name: string, files: Record<string, string>) => contextFolder(ctx.d, name, files);

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
  // As Docker's classic builder leaves them: every step's image is the next one's parent, so history names them all.
  const ids = (await ctx.d.docker(['history', '--format', '{{.ID}}', 'web:1'])).stdout.trim().split('\n');
  assert.equal(ids[0], info.Id.slice(7, 19));
  assert.equal(ids[5], ctx.busyboxId.slice(7, 19));
  assert.ok(ids.every((id) => /^[0-9a-f]{12}$/.test(id)) && new Set(ids).size === 6, ids.join(' '));
  // The RUN layer as it leaves berth (built layers are made again from their snapshots): no runc mount points for /etc files.
  const saved = path.join(ctx.d.dir, 'web-save.tar');
  assert.equal((await ctx.d.docker(['save', '-o', saved, 'web:1'])).code, 0);
  const layer = await run('sh', ['-c', `tar -xOf ${saved} blobs/sha256/${info.RootFS.Layers[1].slice(7)} | tar -t`]);
  assert.equal(layer.code, 0, layer.stderr);
  assert.ok(layer.stdout.includes('var/www/html/index.html'), layer.stdout);
  assert.deepEqual(layer.stdout.trim().split('\n').filter((n) => n.startsWith('etc')), [], 'runc\'s mount points for /etc files are not in the layer');
  const cat = await ctx.d.docker(['run', '--rm', '--network', 'none', 'web:1', 'cat', '/var/www/html/index.html']);
  assert.equal(cat.stdout, 'hello\n');

  const again = await ctx.d.docker(['build', '--network', 'none', '-t', 'web:1', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.stdout.match(/ ---> Using cache/g) ?? []).length, 5, again.stdout);
  assert.doesNotMatch(again.stdout, /Running in/);
  assert.match(again.stdout, new RegExp(`Successfully built ${info.Id.slice(7, 19)}`));
});

test('touching a copied file rebuilds from that COPY on; earlier steps stay cached', async () => {
  const dir = contextDir('cachectx', {
    Dockerfile: 'FROM busybox\nENV A=1\nCOPY app.txt /app/\nRUN cat /app/app.txt > /copy\nCMD ["cat", "/copy"]\n',
    'app.txt': 'one\n',
  });
  const first = await ctx.d.docker(['build', '--network', 'none', '-t', 'cachetest', dir]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'none', 'cachetest'])).stdout, 'one\n');
  writeFileSync(path.join(dir, 'app.txt'), 'two\n');
  const second = await ctx.d.docker(['build', '--network', 'none', '-t', 'cachetest', dir]);
  assert.equal(second.code, 0, second.stderr);
  const steps = second.stdout.split(/^Step /m).slice(1);
  assert.match(steps[1]!, /Using cache/, 'ENV is cached');
  for (const s of steps.slice(2)) assert.doesNotMatch(s, /Using cache/, `rebuilt: ${s}`);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'none', 'cachetest'])).stdout, 'two\n');
  const nocache = await ctx.d.docker(['build', '--no-cache', '--network', 'none', '-q', dir]);
  assert.equal(nocache.code, 0, nocache.stderr);
  assert.match(nocache.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
});

test('multi-stage with COPY --from, build args, a heredoc, a target and a .dockerignore', async () => {
  const dir = contextDir('multi', {
    Dockerfile: [
      'ARG BASE=busybox',
      'FROM $BASE AS builder',
      'ARG GREETING=hello',
      'RUN <<EOF',
      'mkdir -p /out',
      'echo "$GREETING from builder" > /out/msg',
      'EOF',
      'RUN <<EOF',
      '#!/bin/sh -e',
      'echo "shebang script as $0" > /out/shebang',
      'EOF',
      'COPY <<-"NOTE" /out/note',
      '\tliteral $GREETING',
      '\tNOTE',
      'FROM busybox AS unused',
      'RUN exit 1',
      'FROM busybox',
      'COPY --from=builder /out/ /data/',
      'COPY . /ctx/',
      'CMD ["sh", "-c", "cat /data/msg /data/note /data/shebang; ls /ctx"]',
    ].join('\n'),
    'keep.txt': 'k', 'secret.txt': 's', '.dockerignore': 'secret.txt\n',
  });
  const r = await ctx.d.docker(['build', '--network', 'none', '--build-arg', 'GREETING=hi', '--build-arg', 'UNUSED=1', '-t', 'multi', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.doesNotMatch(r.stdout, /RUN exit 1/, 'the unused stage was skipped');
  assert.match(r.stdout, /\[Warning\] One or more build-args \[UNUSED\] were not consumed/);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', 'multi']);
  assert.equal(out.stdout, 'hi from builder\nliteral $GREETING\nshebang script as /bin/sh\nDockerfile\nkeep.txt\n');
  const target = await ctx.d.docker(['build', '--network', 'none', '--target', 'builder', '-q', dir]);
  assert.equal(target.code, 0, target.stderr);
  const msg = await ctx.d.docker(['run', '--rm', '--network', 'none', target.stdout.trim(), 'cat', '/out/msg']);
  assert.equal(msg.stdout, 'hello from builder\n');
});

test('a failing RUN stops the build with its output and Docker\'s message', async () => {
  const dir = contextDir('fail', { Dockerfile: 'FROM busybox\nRUN echo about to fail && exit 3\nRUN echo never\n' });
  const r = await ctx.d.docker(['build', '--network', 'none', dir]);
  assert.equal(r.code, 3, r.stderr + r.stdout);
  assert.match(r.stdout, /about to fail/);
  assert.doesNotMatch(r.stdout, /never/);
  assert.match(r.stderr, /The command '\/bin\/sh -c echo about to fail && exit 3' returned a non-zero code: 3/);
});

test('the docker CLI\'s other context forms: Dockerfile on stdin, -f - with a folder, -f outside the folder', async () => {
  const piped = await ctx.d.docker(['build', '--network', 'none', '-t', 'piped', '-'], { input: 'FROM busybox\nCMD ["echo", "piped"]\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'none', 'piped'])).stdout, 'piped\n');
  const dir = contextDir('dashf', { 'file.txt': 'in context\n' });
  const dashF = await ctx.d.docker(['build', '--network', 'none', '-t', 'dashf', '-f', '-', dir], { input: 'FROM busybox\nCOPY file.txt /\nCMD ["cat", "/file.txt"]\n' });
  assert.equal(dashF.code, 0, dashF.stderr);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'none', 'dashf'])).stdout, 'in context\n');
  const outside = contextDir('outsidedf', { 'Custom.dockerfile': 'FROM busybox\nCOPY file.txt /f\n' });
  const r = await ctx.d.docker(['build', '--network', 'none', '-f', `${outside}/Custom.dockerfile`, dir]);
  assert.equal(r.code, 0, r.stderr);
});

test('a build arg a RUN sees is part of its cache key; proxy args are used but not recorded', async () => {
  const dir = contextDir('argcache', { Dockerfile: 'FROM busybox\nARG V\nRUN echo "v=$V proxy=$HTTP_PROXY" > /v\nCMD ["cat", "/v"]\n' });
  const build = (...args: string[]) => ctx.d.docker(['build', '--network', 'none', ...args, '-t', 'argcache', dir]);
  assert.equal((await build('--build-arg', 'V=1')).code, 0);
  const same = await build('--build-arg', 'V=1');
  assert.equal((same.stdout.match(/Using cache/g) ?? []).length, 3, same.stdout);
  const changed = await build('--build-arg', 'V=2', '--build-arg', 'HTTP_PROXY=http://proxy.invalid:3128');
  assert.equal((changed.stdout.match(/Using cache/g) ?? []).length, 1, changed.stdout);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'none', 'argcache'])).stdout, 'v=2 proxy=http://proxy.invalid:3128\n');
  const hist = await ctx.d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'argcache']);
  assert.match(hist.stdout, /^\|1 V=2 \/bin\/sh -c echo "v=\$V proxy=\$HTTP_PROXY" > \/v$/m);
  assert.doesNotMatch(hist.stdout, /proxy\.invalid/);
});

test('without --network a RUN step gets the default bridge, and the built web server answers through a published port', async () => {
  const dir = contextDir('bridged', {
    Dockerfile: `FROM busybox
RUN ip -4 -o addr show eth0 | grep -o 'inet [0-9.]*' > /build-addr
RUN mkdir -p /www && echo built-and-served > /www/index.html
EXPOSE 80
CMD ["httpd", "-f", "-p", "80", "-h", "/www"]
`,
  });
  const r = await ctx.d.docker(['build', '-t', 'bridged', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const addr = (await ctx.d.docker(['run', '--rm', '--network', 'none', 'bridged', 'cat', '/build-addr'])).stdout.trim();
  const net = ctx.d.subnet.split('.').slice(0, 3).join('.');
  assert.ok(addr.startsWith(`inet ${net}.`), `RUN had ${addr}, daemon subnet ${ctx.d.subnet}`);
  const id = (await ctx.d.docker(['run', '-d', '-p', '127.0.0.1::80', 'bridged'])).stdout.trim();
  const port = (await ctx.d.docker(['port', id, '80'])).stdout.trim().split(':').pop();
  let body = '';
  for (let i = 0; i < 50 && !body; i++) {
    body = (await run('curl', ['-sf', `http://127.0.0.1:${port}/`])).stdout;
    if (!body) await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(body, 'built-and-served\n');
  await ctx.d.docker(['rm', '-f', id]);
});
