// Every Dockerfile instruction through docker build: config ones, COPY/ADD rules, ONBUILD, SHELL, and the cache across a daemon restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run, useDaemon } from './harness';
import { contextFolder } from './build-helpers';

const ctx = useDaemon();

const inspect = async (ref: string) => JSON.parse((await ctx.d.docker(['image', 'inspect', ref])).stdout)[0];
const sh = async (ref: string, script: string) => (await ctx.d.docker(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', ref, '-c', script])).stdout;

test('config instructions land in the image config as Docker records them', async () => {
  const dir = contextFolder(ctx.d, 'config', {
    Dockerfile: [
      'ARG VERSION=1.0',
      'FROM busybox AS base',
      'ARG VERSION',
      'ENV APP_VERSION=$VERSION HOME_DIR=/home/app',
      'ENV LEGACY legacy form value',
      'LABEL org.version="${APP_VERSION}" quoted="a b"',
      'EXPOSE 8080/udp 9000-9001',
      'USER 1000:1000',
      'WORKDIR app',
      'WORKDIR sub',
      'STOPSIGNAL SIGQUIT',
      'HEALTHCHECK --interval=5s --retries=2 CMD ["true"]',
      'SHELL ["/bin/sh", "-ec"]',
      'ENTRYPOINT ["/bin/echo"]',
      'ONBUILD RUN echo triggered > /tmp/onbuild',
    ].join('\n'),
  });
  const r = await ctx.d.docker(['build', '--network', 'none', '-t', 'cfg', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const c = (await inspect('cfg')).Config;
  assert.ok(c.Env.includes('APP_VERSION=1.0'));
  assert.ok(c.Env.includes('LEGACY=legacy form value'));
  assert.deepEqual(c.Labels, { 'org.version': '1.0', quoted: 'a b' });
  assert.deepEqual(c.ExposedPorts, { '8080/udp': {}, '9000/tcp': {}, '9001/tcp': {} });
  assert.equal(c.User, '1000:1000');
  assert.equal(c.WorkingDir, '/app/sub');
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD', 'true'], Interval: 5e9, Retries: 2 });
  assert.deepEqual(c.Shell, ['/bin/sh', '-ec']);
  assert.deepEqual(c.Entrypoint, ['/bin/echo']);
  assert.equal(c.Cmd, null, 'ENTRYPOINT clears an inherited CMD');
  assert.deepEqual(c.OnBuild, ['RUN echo triggered > /tmp/onbuild']);

  const child = contextFolder(ctx.d, 'child', { Dockerfile: 'FROM cfg\nUSER root\nRUN test -d /app/sub && cat /tmp/onbuild\n' });
  const b = await ctx.d.docker(['build', '--network', 'none', '-t', 'cfgchild', child]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.match(b.stdout, /# Executing 1 build trigger/);
  assert.match(b.stdout, /triggered/);
  assert.equal((await inspect('cfgchild')).Config.OnBuild, null);
});

test('COPY and ADD: wildcards, trailing slashes, folder contents, --chown, --chmod, local tars unpacked', async () => {
  const dir = contextFolder(ctx.d, 'copy', {
    Dockerfile: [
      'FROM busybox',
      'COPY a.txt b.txt /multi/',
      'COPY *.txt /glob/',
      'COPY a.txt /renamed',
      'COPY dir /dircontents',
      'COPY --chown=1234:5678 --chmod=600 a.txt /owned',
      'COPY --chown=nobody a.txt /named',
      'ADD archive.tar /unpacked/',
      'ADD archive.tar /kept/archive.tar.copy',  // a local archive is always unpacked, into a folder of that name
      'WORKDIR /work',
      'COPY a.txt rel/',
    ].join('\n'),
    'a.txt': 'A', 'b.txt': 'B', 'dir/inner/x': 'X', 'tarsrc/in-tar': 'T',
  });
  const tar = await run('tar', ['-C', path.join(dir, 'tarsrc'), '-cf', path.join(dir, 'archive.tar'), 'in-tar']);
  assert.equal(tar.code, 0, tar.stderr);
  const r = await ctx.d.docker(['build', '--network', 'none', '-t', 'copies', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = await sh('copies', [
    'ls /multi /glob', 'cat /renamed; echo', 'ls /dircontents', 'stat -c "%u:%g %a" /owned /named /renamed',
    'cat /unpacked/in-tar; echo', 'ls /kept/archive.tar.copy/ 2>&1 || true', 'cat /work/rel/a.txt',
  ].join('; '));
  assert.equal(out, [
    '/glob:', 'a.txt', 'b.txt', '', '/multi:', 'a.txt', 'b.txt', 'A', 'inner', '1234:5678 600', '65534:65534 644', '0:0 644', 'T',
    'in-tar', 'A',
  ].join('\n'));
  const bad = contextFolder(ctx.d, 'badcopy', { Dockerfile: 'FROM busybox\nCOPY a.txt b.txt /notadir\n', 'a.txt': '', 'b.txt': '' });
  const e = await ctx.d.docker(['build', bad]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /When using COPY with more than one source file, the destination must be a directory and end with a \//);
});

test('the cache survives a daemon restart (which sweeps crashed builds), and cache-from limits hits to the images offered', async () => {
  const dir = contextFolder(ctx.d, 'restart', { Dockerfile: 'FROM busybox\nRUN echo once > /once\nCOPY f /f\n', f: 'f' });
  const first = await ctx.d.docker(['build', '--network', 'none', '-t', 'survivor', dir]);
  assert.equal(first.code, 0, first.stderr);
  await ctx.d.stop();
  // What a build killed with the daemon leaves: a mounted snapshot in its scratch dir.
  const leftover = path.join(ctx.d.dataRoot, 'tmp/build-crashed/mnt-0');
  mkdirSync(leftover, { recursive: true });
  assert.equal((await run('mount', ['--bind', path.join(ctx.d.dataRoot, 'content'), leftover])).code, 0);
  await ctx.d.restart();
  assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(leftover), 'the leftover mount is gone');
  assert.ok(!existsSync(path.join(ctx.d.dataRoot, 'tmp/build-crashed')));
  assert.ok(existsSync(path.join(ctx.d.dataRoot, 'content/blobs')), 'nothing was deleted through the mount');
  const again = await ctx.d.docker(['build', '--network', 'none', '-t', 'survivor', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 2, again.stdout);
  const other = await ctx.d.docker(['build', '--network', 'none', '--cache-from', 'busybox', dir]);
  assert.equal(other.code, 0, other.stderr);
  assert.doesNotMatch(other.stdout, /Using cache/, 'busybox is not an ancestor of the cached steps');
  const offered = await ctx.d.docker(['build', '--network', 'none', '--cache-from', 'survivor', dir]);
  assert.equal((offered.stdout.match(/Using cache/g) ?? []).length, 2, offered.stdout);
});

test('FROM scratch: COPY makes the first layer; config alone makes a layerless image; bad tags are a 400', async () => {
  const dir = contextFolder(ctx.d, 'scratch', {
    Dockerfile: 'FROM busybox AS tools\nFROM scratch\nCOPY --from=tools /bin/busybox /bin/busybox\nCOPY hello /hello\nCMD ["/bin/busybox", "cat", "/hello"]\n',
    hello: 'from scratch\n',
  });
  const r = await ctx.d.docker(['build', '-t', 'fromscratch', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const ran = await ctx.d.docker(['run', '--rm', '--network', 'none', 'fromscratch']);
  assert.equal(ran.stdout, 'from scratch\n', ran.stderr);
  assert.equal((await inspect('fromscratch')).RootFS.Layers.length, 2);
  const cfg = contextFolder(ctx.d, 'scratchcfg', { Dockerfile: 'FROM scratch\nLABEL only=config\n' });
  const c = await ctx.d.docker(['build', '-q', cfg]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual((await inspect(c.stdout.trim())).RootFS.Layers ?? [], []);
  const empty = contextFolder(ctx.d, 'scratchempty', { Dockerfile: 'FROM scratch\n' });
  assert.match((await ctx.d.docker(['build', empty])).stderr, /No image was generated/);
  const bad = await ctx.d.client.request('POST', '/build', { query: { t: 'Bad:Name!' }, body: Buffer.alloc(1024) }).catch((e) => e);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.message, /invalid reference format/);
});

test('rmi of a built image takes its untagged intermediate images (and so its cache) with it, unless --no-prune', async () => {
  const dir = contextFolder(ctx.d, 'rmi', { Dockerfile: 'FROM busybox\nENV STEP=1\nRUN echo rmi > /rmi\nLABEL done=yes\n' });
  assert.equal((await ctx.d.docker(['build', '--network', 'none', '-t', 'rmitest', dir])).code, 0);
  const all = async () => (await ctx.d.docker(['images', '-aq', '--no-trunc'])).stdout.trim().split('\n').filter(Boolean);
  const before = await all();
  const rmi = await ctx.d.docker(['rmi', 'rmitest']);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.equal((rmi.stdout.match(/^Deleted: /gm) ?? []).length, 3, rmi.stdout);
  assert.equal((await all()).length, before.length - 3);
  assert.equal((await ctx.d.docker(['image', 'inspect', 'busybox'])).code, 0, 'the tagged base stays');
  const rebuilt = await ctx.d.docker(['build', '--network', 'none', '-t', 'rmitest', dir]);
  assert.doesNotMatch(rebuilt.stdout, /Using cache/, 'the cache went with the images');
  const kept = await ctx.d.docker(['rmi', '--no-prune', 'rmitest']);
  assert.equal((kept.stdout.match(/^Deleted: /gm) ?? []).length, 1, kept.stdout);
});
