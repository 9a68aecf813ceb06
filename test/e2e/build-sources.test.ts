// Where build steps read from and run as: ADD from a URL, COPY --from an image, a stage as a base, SHELL/USER/WORKDIR in RUN, platforms.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDaemon } from './harness';
import { contextFolder } from './build-helpers';
import { hostArchitecture } from '../../src/services/images/image-service';

const ctx = useDaemon();
let requests = 0;
const server = http.createServer((req, res) => {
  requests++;
  if (req.url === '/files/remote.txt') {
    res.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
    res.end('remote content\n');
  } else {
    res.writeHead(404);
    res.end();
  }
});
const listening = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());

test('ADD fetches a URL (not unpacked, mode 600, its Last-Modified) and a 404 fails the build', async () => {
  await listening;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = contextFolder(ctx.d, 'url', { Dockerfile: `FROM busybox\nADD ${url}/files/remote.txt /dl/\n` });
  const r = await ctx.d.docker(['build', '--network', 'none', '-t', 'fromurl', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', 'fromurl', 'sh', '-c', 'cat /dl/remote.txt; stat -c "%a %Y" /dl/remote.txt']);
  assert.equal(out.stdout, 'remote content\n600 1445412480\n');
  const before = requests;
  const again = await ctx.d.docker(['build', '--network', 'none', dir]);
  assert.match(again.stdout, /Using cache/);
  assert.ok(requests > before, 'the URL is fetched again to check its content');
  const missing = contextFolder(ctx.d, 'url404', { Dockerfile: `FROM busybox\nADD ${url}/nope.txt /x\n` });
  const bad = await ctx.d.docker(['build', missing]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /failed to GET .*nope.txt with status 404/);
  const copyUrl = contextFolder(ctx.d, 'copyurl', { Dockerfile: `FROM busybox\nCOPY ${url}/files/remote.txt /x\n` });
  assert.match((await ctx.d.docker(['build', copyUrl])).stderr, /line 2: source can't be a URL for COPY/);
});

test('COPY --from an image, a stage as a base, SHELL, USER and WORKDIR seen by RUN', async () => {
  const dir = contextFolder(ctx.d, 'sources', {
    Dockerfile: [
      'FROM busybox AS base',
      'WORKDIR /srv/app',
      'RUN echo base > marker',
      'FROM base',
      'COPY --from=busybox /bin/busybox /copied-busybox',
      'SHELL ["/bin/sh", "-c", "echo shell-used; eval \\"$0\\""]',
      'USER nobody',
      'RUN pwd; id -un; cat marker',
    ].join('\n'),
  });
  const r = await ctx.d.docker(['build', '--network', 'none', '-t', 'sources', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /shell-used\n\/srv\/app\nnobody\nbase\n/);
  const ls = await ctx.d.docker(['run', '--rm', '--network', 'none', 'sources', 'ls', '-l', '/copied-busybox']);
  assert.match(ls.stdout, /^-rwx/);
});

test('another platform is refused with 501; the host\'s platform and BuildKit\'s platform args work', async () => {
  const dir = contextFolder(ctx.d, 'platform', { Dockerfile: 'FROM --platform=linux/s390x busybox\n' });
  const r = await ctx.d.docker(['build', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /building for platform linux\/s390x is not supported/);
  const flag = await ctx.d.docker(['build', '--platform', 'windows/amd64', dir]);
  assert.match(flag.stderr, /building for platform windows\/amd64 is not supported/);
  const host = contextFolder(ctx.d, 'hostplatform', {
    Dockerfile: `FROM --platform=linux/${hostArchitecture()} busybox AS one\nFROM --platform=$BUILDPLATFORM busybox\nARG TARGETARCH\nRUN echo "$TARGETARCH" > /arch\n`,
  });
  const ok = await ctx.d.docker(['build', '--network', 'none', '-t', 'platformargs', host]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'none', 'platformargs', 'cat', '/arch'])).stdout, `${hostArchitecture()}\n`);
});
