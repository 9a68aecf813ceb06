// `docker cp` and the archive API through berthd: the real docker CLI, dockerode and berth, both ways, and hostile input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { listTar, tarBuffer } from '../../src/archive/tar-fixture';
import { run, useDaemon } from './harness';

const ctx = useDaemon();
let tmp = '';
/** A host directory the hostile cases aim at: it must never change. */
let canary = '';
let canarySnapshot = '';
let box = '';

before(() => {
  tmp = mkdtempSync('/tmp/berth-cp-');
  canary = path.join(tmp, 'canary');
  mkdirSync(canary);
  writeFileSync(path.join(canary, 'secret'), 'HOST SECRET\n');
  canarySnapshot = snapshot(canary);
  mkdirSync(local('in-dir/inner'), { recursive: true });
  writeFileSync(local('in-dir/inner/x'), 'x\n');
  writeFileSync(local('in-file'), 'file\n');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Names, types, sizes and contents under `dir`: equal snapshots mean nothing there changed. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      const st = lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.mode.toString(8)} ${st.size} ${st.isFile() ? readFileSync(p, 'utf8') : ''}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.join('\n');
}

function assertCanaryUntouched(): void {
  assert.equal(snapshot(canary), canarySnapshot, 'the host directory outside the container changed');
}

async function docker(args: string[], input?: string | Buffer) {
  return ctx.d.docker(args, input === undefined ? {} : { input });
}

async function ok(args: string[], input?: string | Buffer): Promise<string> {
  const r = await docker(args, input);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function running(): Promise<string> {
  if (box) return box;
  box = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  await ok(['exec', box, 'sh', '-c', [
    'mkdir -p /d/sub', 'echo hi > /d/sub/f', 'echo top > /d/t', 'ln -s sub/f /d/rel', 'ln -s /d/sub /lnk',
    'ln -s / /esc', 'ln -s ../../../../../../.. /dots', `mkdir -p ${canary}`, `echo container > ${canary}/secret`,
  ].join(' && ')]);
  return box;
}

function local(...parts: string[]): string {
  return path.join(tmp, ...parts);
}

function dockerode(): Docker {
  return new Docker({ socketPath: ctx.d.socket });
}

async function bufferOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('docker cp copies a folder and a file out of a running container; links stay links', async () => {
  const id = await running();
  await ok(['cp', `${id}:/d`, local('out-dir')]);
  assert.equal(readFileSync(local('out-dir/sub/f'), 'utf8'), 'hi\n');
  assert.equal(readFileSync(local('out-dir/t'), 'utf8'), 'top\n');
  assert.equal(readlinkSync(local('out-dir/rel')), 'sub/f');
  await ok(['cp', `${id}:/d/t`, local('out-file')]);
  assert.equal(readFileSync(local('out-file'), 'utf8'), 'top\n');
  await ok(['cp', `${id}:/lnk`, local('out-link')]);
  assert.equal(readlinkSync(local('out-link')), '/d/sub');
  await ok(['cp', '-L', `${id}:/lnk`, local('out-followed')]);
  assert.equal(readFileSync(local('out-followed/f'), 'utf8'), 'hi\n');
});

test('copying / of a running container gives its files and empty kernel mount points (/proc, /sys)', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  await ok(['exec', id, 'sh', '-c', 'mkdir /d && echo top > /d/t']);
  await ok(['cp', `${id}:/`, local('whole-root')]);
  assert.equal(readFileSync(local('whole-root/d/t'), 'utf8'), 'top\n');
  assert.deepEqual(readdirSync(local('whole-root/proc')), []);
  assert.deepEqual(readdirSync(local('whole-root/sys')), []);
  const berth = await ctx.d.berth(['cp', `${id}:/`, local('whole-root-berth')]);
  assert.equal(berth.code, 0, berth.stderr);
  assert.equal(readFileSync(local('whole-root-berth/d/t'), 'utf8'), 'top\n');
  await ok(['rm', '-f', id]);
});

test('docker cp copies a folder and a file into a running container', async () => {
  const id = await running();
  await ok(['cp', local('in-dir'), `${id}:/tmp/`]);
  await ok(['cp', local('in-file'), `${id}:/tmp/renamed`]);
  assert.equal(await ok(['exec', id, 'cat', '/tmp/in-dir/inner/x', '/tmp/renamed']), 'x\nfile\n');
});

test('the trailing /. copies a folder\'s contents, a missing destination takes the source\'s place', async () => {
  const id = await running();
  mkdirSync(local('dot-into'));
  await ok(['cp', `${id}:/d/.`, local('dot-into')]);
  assert.deepEqual(readdirSync(local('dot-into')).sort(), ['rel', 'sub', 't']);
  mkdirSync(local('plain-into'));
  await ok(['cp', `${id}:/d`, local('plain-into')]);
  assert.deepEqual(readdirSync(local('plain-into')), ['d']);
  await ok(['exec', id, 'mkdir', '/into']);
  await ok(['cp', `${local('in-dir')}/.`, `${id}:/into`]);
  await ok(['cp', local('in-dir'), `${id}:/fresh`]);
  assert.equal(await ok(['exec', id, 'ls', '/into', '/fresh']), '/fresh:\ninner\n\n/into:\ninner\n');
  const r = await docker(['cp', local('in-file'), `${id}:/nowhere/`]);
  assert.equal(r.code, 1);
});

test('-a gives copied files the container user\'s uid/gid; without it they keep the archive\'s', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', '--user', 'nobody', 'busybox', 'sleep', '600'])).trim();
  writeFileSync(local('owned'), 'owned\n');
  chownSync(local('owned'), 1234, 5678);
  await ok(['cp', local('owned'), `${id}:/tmp/plain`]);
  await ok(['cp', '-a', local('owned'), `${id}:/tmp/archived`]);
  assert.equal(await ok(['exec', id, 'stat', '-c', '%u:%g', '/tmp/plain', '/tmp/archived']), '1234:5678\n65534:65534\n');
  await ok(['rm', '-f', id]);
});

test('stopped and created containers are copied to and from, and their root is unmounted after', async () => {
  const stopped = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'echo gone > /left'])).trim();
  await ok(['wait', stopped]);
  const created = (await ok(['create', '--network', 'none', 'busybox', 'true'])).trim();
  for (const id of [stopped, created]) {
    await ok(['cp', local('in-file'), `${id}:/copied`]);
    await ok(['cp', `${id}:/copied`, local(`back-${id.slice(0, 6)}`)]);
    assert.equal(readFileSync(local(`back-${id.slice(0, 6)}`), 'utf8'), 'file\n');
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(id), 'the rootfs stayed mounted after the copy');
  }
  assert.equal(await ok(['cp', `${stopped}:/left`, '-']).then((t) => t.includes('gone')), true);
  await ok(['start', stopped]);
  await ok(['wait', stopped]);
  await ok(['rm', stopped, created]);
});

test('- writes a tar to stdout and reads one from stdin', async () => {
  const id = await running();
  const res = await ctx.d.client.request('GET', `/containers/${id}/archive`, { query: { path: '/d' } });
  const names = (await listTar(await bufferOf(res.body))).map((e) => e.name).sort();
  assert.deepEqual(names, ['d/', 'd/rel', 'd/sub/', 'd/sub/f', 'd/t']);
  const input = await tarBuffer([{ name: 'from-stdin/', type: 'directory' }, { name: 'from-stdin/a', type: 'file', data: 'stdin\n' }]);
  await ok(['cp', '-', `${id}:/tmp`], input);
  assert.equal(await ok(['exec', id, 'cat', '/tmp/from-stdin/a']), 'stdin\n');
  const notDir = await docker(['cp', '-', `${id}:/d/t`], input);
  assert.equal(notDir.code, 1);
  assert.match(notDir.stderr, /must be a directory/);
});

test('errors carry Docker\'s messages and exit codes', async () => {
  const id = await running();
  const missing = await docker(['cp', `${id}:/no/such`, local('x')]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), `Error response from daemon: Could not find the file /no/such in container ${id}`);
  const noContainer = await docker(['cp', 'no-such-container:/x', local('x')]);
  assert.equal(noContainer.code, 1);
  assert.equal(noContainer.stderr.trim(), 'Error response from daemon: No such container: no-such-container');
  const berthNoContainer = await ctx.d.berth(['cp', local('in-file'), 'no-such-container:/x']);
  assert.equal(berthNoContainer.stderr.trim(), 'Error response from daemon: No such container: no-such-container');
  const none = await ctx.d.berth(['cp', local('a'), local('b')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /must specify at least one container source/);
  const both = await ctx.d.berth(['cp', `${id}:/a`, `${id}:/b`]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /copying between containers is not supported/);
  const berthMissing = await ctx.d.berth(['cp', `${id}:/no/such`, local('x')]);
  assert.equal(berthMissing.stderr.trim(), missing.stderr.trim());
  await assert.rejects(ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/d/t' }, body: Buffer.alloc(1024) }), { statusCode: 400, message: 'extraction point is not a directory' });
  await assert.rejects(ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/nope' }, body: Buffer.alloc(1024) }), { statusCode: 404 });
  await assert.rejects(ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/tmp' }, body: Buffer.alloc(4096, 0x41) }), { statusCode: 400 });
  const dirOverFile = await tarBuffer([{ name: 't/', type: 'directory' }]);
  await assert.rejects(ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/d', noOverwriteDirNonDir: true }, body: dirOverFile }), { statusCode: 409 });
  await assert.rejects(ctx.d.client.request('HEAD', `/containers/${id}/archive`, { query: { path: '/none' } }), { statusCode: 404 });
});

test('a read-only root or mount refuses writes with Docker\'s message; binds and tmpfs are seen at their mount points', async () => {
  const bindDir = local('bind');
  const roDir = local('bind-ro');
  mkdirSync(bindDir);
  mkdirSync(roDir);
  const id = (await ok(['run', '-d', '--network', 'none', '--read-only', '--tmpfs', '/scratch', '-v', `${bindDir}:/bind`, '-v', `${roDir}:/ro:ro`, 'busybox', 'sleep', '600'])).trim();
  const rootfs = await docker(['cp', local('in-file'), `${id}:/`]);
  assert.equal(rootfs.stderr.trim(), 'Error response from daemon: container rootfs is marked read-only');
  const tmpfs = await docker(['cp', local('in-file'), `${id}:/scratch/`]);
  assert.equal(tmpfs.stderr.trim(), 'Error response from daemon: container rootfs is marked read-only');
  const ro = await docker(['cp', local('in-file'), `${id}:/ro/`]);
  assert.equal(ro.stderr.trim(), 'Error response from daemon: mounted volume is marked read-only');
  await ok(['cp', local('in-file'), `${id}:/bind/`]);
  assert.equal(readFileSync(path.join(bindDir, 'in-file'), 'utf8'), 'file\n');
  await ok(['exec', id, 'sh', '-c', 'echo in-tmpfs > /scratch/t']);
  await ok(['cp', `${id}:/scratch/t`, local('from-tmpfs')]);
  assert.equal(readFileSync(local('from-tmpfs'), 'utf8'), 'in-tmpfs\n');
  await ok(['stop', '-t', '0', id]);
  // Stopped: the bind is still seen where it is mounted.
  await ok(['cp', `${id}:/bind/in-file`, local('from-bind-stopped')]);
  assert.equal(readFileSync(local('from-bind-stopped'), 'utf8'), 'file\n');
  await ok(['rm', id]);
});

test('a copy into a named volume lands in the volume; a read-only one refuses it', async () => {
  const r = await docker(['run', '-d', '--network', 'none', '-v', 'cpvol:/vol', 'busybox', 'sleep', '600']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  await ok(['cp', local('in-file'), `${id}:/vol/`]);
  assert.equal(await ok(['run', '--rm', '--network', 'none', '-v', 'cpvol:/other', 'busybox', 'cat', '/other/in-file']), 'file\n');
  await ok(['stop', '-t', '0', id]);
  await ok(['cp', `${id}:/vol/in-file`, local('from-volume')]);
  assert.equal(readFileSync(local('from-volume'), 'utf8'), 'file\n');
  const ro = (await ok(['run', '-d', '--network', 'none', '-v', 'cpvol:/rov:ro', 'busybox', 'sleep', '600'])).trim();
  const refused = await docker(['cp', local('in-file'), `${ro}:/rov/`]);
  assert.equal(refused.stderr.trim(), 'Error response from daemon: mounted volume is marked read-only');
  await ok(['rm', '-f', id, ro]);
  await docker(['volume', 'rm', 'cpvol']);
});

test('dockerode\'s getArchive, putArchive and infoArchive work against berthd', async () => {
  const c = dockerode().getContainer(await running());
  const res = await c.infoArchive({ path: '/d/t' }) as unknown as { headers: Record<string, string>; resume(): void };
  res.resume();
  const info = JSON.parse(Buffer.from(res.headers['x-docker-container-path-stat'], 'base64').toString());
  assert.equal(info.name, 't');
  assert.equal(info.size, 4);
  const tar = await bufferOf(await c.getArchive({ path: '/d/sub' }));
  assert.deepEqual((await listTar(tar)).map((e) => e.name), ['sub/', 'sub/f']);
  const upload = await tarBuffer([{ name: 'via-dockerode', type: 'file', data: 'dockerode\n', mode: 0o640 }]);
  await c.putArchive(upload, { path: '/tmp' });
  const back = await listTar(await bufferOf(await c.getArchive({ path: '/tmp/via-dockerode' })));
  assert.deepEqual(back.map((e) => [e.name, e.size, e.mode]), [['via-dockerode', 10, 0o640]]);
});

test('HEAD reports Docker\'s path stat: Go file mode bits and the resolved link target', async () => {
  const id = await running();
  const stat = async (p: string) => {
    const res = await ctx.d.client.request('HEAD', `/containers/${id}/archive`, { query: { path: p } });
    res.body.resume();
    return JSON.parse(Buffer.from(String(res.headers['x-docker-container-path-stat']), 'base64').toString());
  };
  const link = await stat('/d/rel');
  assert.equal(link.name, 'rel');
  assert.equal(link.linkTarget, '/d/sub/f');
  assert.equal(link.mode, 2 ** 27 + 0o777);
  const dir = await stat('/d/');
  assert.equal(dir.mode, 2 ** 31 + 0o755);
  assert.match(dir.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.equal((await stat('/esc')).linkTarget, '/');
});

test('links and .. in the container never lead a copy to the host', async () => {
  const id = await running();
  for (const p of [`/esc${canary}/secret`, `/dots${canary}/secret`, `/../../../..${canary}/secret`]) {
    assert.equal(await ok(['cp', `${id}:${p}`, '-']).then((t) => t.includes('container') && !t.includes('HOST')), true, p);
  }
  await ok(['cp', local('in-file'), `${id}:/esc${canary}/`]);
  await ok(['cp', local('in-file'), `${id}:/dots${canary}/dropped`]);
  assert.equal(await ok(['exec', id, 'cat', `${canary}/in-file`, `${canary}/dropped`]), 'file\nfile\n');
  assertCanaryUntouched();
});

test('hostile tar entries (.., absolute names, links then entries through them) stay inside the container', async () => {
  const id = await running();
  const rel = path.relative('/', canary);
  const evil = await tarBuffer([
    { name: `../../../../../../${rel}/dotdot`, type: 'file', data: 'evil' },
    { name: `/${rel}/absolute`, type: 'file', data: 'evil' },
    { name: 'up', type: 'symlink', linkname: '/' },
    { name: `up/${rel}/through-link`, type: 'file', data: 'evil' },
    { name: 'hard', type: 'link', linkname: `../../../../${rel}/secret` },
  ]);
  await ok(['exec', id, 'mkdir', '-p', '/tmp/landing']);
  await ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/tmp/landing' }, body: evil })
    .then((r) => r.body.resume(), (err) => assert.match(String(err.message), /hardlink/));
  const inside = await ok(['exec', id, 'find', '/tmp/landing', '-type', 'f']);
  assert.match(inside, new RegExp(`/tmp/landing/${rel}/dotdot`));
  assert.match(inside, new RegExp(`/tmp/landing/${rel}/absolute`));
  assert.match(inside, new RegExp(`/tmp/landing/${rel}/through-link`));
  assertCanaryUntouched();
  assert.ok(!existsSync(path.join('/', 'dotdot')) && !existsSync(path.join('/', 'absolute')));
});

test('device nodes, FIFOs and setuid bits in an uploaded tar are kept as Docker keeps them, inside the container', async () => {
  const id = await running();
  const special = await tarBuffer([
    { name: 'null2', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'pipe', type: 'fifo', mode: 0o644 },
    { name: 'suid', type: 'file', data: '#!/bin/sh\n', mode: 0o4755 },
  ]);
  const res = await ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/tmp' }, body: special });
  res.body.resume();
  assert.equal(await ok(['exec', id, 'stat', '-c', '%F %a', '/tmp/null2', '/tmp/pipe', '/tmp/suid']),
    'character special file 666\nfifo 644\nregular file 4755\n');
  assertCanaryUntouched();
});

test('an endless upload is streamed to disk, never held in memory, and the container is free again after', async () => {
  const id = await running();
  const pid = Number(readFileSync(path.join(ctx.d.dir, 'berthd.pid'), 'utf8'));
  // A header that promises 8 GiB, then zeros until the client gives up at 256 MiB.
  const head = (await tarBuffer([{ name: 'endless', type: 'file', data: '' }])).subarray(0, 512);
  const block = Buffer.alloc(1024 * 1024);
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent === 0) this.push(patchSize(head, 8 * 1024 ** 3));
      sent += block.length;
      if (sent > 256 * 1024 * 1024) this.destroy(new Error('client gives up'));
      else this.push(block);
    },
  });
  await ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/tmp' }, body }).catch(() => undefined);
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  assert.ok(hwm < 200 * 1024 * 1024, `berthd's peak memory grew to ${hwm} bytes`);
  assert.equal(await ok(['exec', id, 'echo', 'alive']), 'alive\n');
  await ok(['cp', local('in-file'), `${id}:/tmp/after-endless`]);
  await ok(['exec', id, 'rm', '-f', '/tmp/endless']);
});

/** A ustar header with its size field (and checksum) set to `size`. */
function patchSize(header: Buffer, size: number): Buffer {
  const h = Buffer.from(header.subarray(0, 512));
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

test('a link flipped in a loop during copies (CVE-2018-15664) never reads or writes the host', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c',
    `mkdir -p /w${canary} && echo container > /w${canary}/secret && ` +
    'while :; do mv /w /w.real; ln -s / /w; rm /w; mv /w.real /w; done'])).trim();
  const rounds = 30;
  const reads: Promise<string>[] = [];
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < rounds; i++) {
    reads.push(ctx.d.client.request('GET', `/containers/${id}/archive`, { query: { path: `/w${canary}/secret` } })
      .then(async (r) => (await bufferOf(r.body)).toString(), (err) => `error ${err.statusCode}`));
    const upload = await tarBuffer([{ name: `race-${i}`, type: 'file', data: 'race' }]);
    writes.push(ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: `/w${canary}` }, body: upload })
      .then((r) => r.body.resume(), () => undefined));
  }
  const got = await Promise.all(reads);
  await Promise.all(writes);
  assert.ok(got.every((t) => !t.includes('HOST SECRET')), 'a copy read the host\'s file');
  assert.ok(got.some((t) => t.includes('container')), 'no copy succeeded at all');
  assertCanaryUntouched();
  assert.equal(statSync(canary).isDirectory(), true);
  await ok(['rm', '-f', id]);
});

test('a link flipped by another container in a shared bind mount is frozen too during copies', async () => {
  const shared = local('shared');
  mkdirSync(shared);
  const flipper = (await ok(['run', '-d', '--network', 'none', '-v', `${shared}:/shared`, 'busybox', 'sh', '-c',
    `mkdir -p /shared/w${canary} && echo shared > /shared/w${canary}/secret && ` +
    'while :; do mv /shared/w /shared/w.real; ln -s / /shared/w; rm /shared/w; mv /shared/w.real /shared/w; done'])).trim();
  const reader = (await ok(['run', '-d', '--network', 'none', '-v', `${shared}:/shared`, 'busybox', 'sleep', '600'])).trim();
  const got: string[] = [];
  for (let i = 0; i < 30; i++) {
    got.push(await ctx.d.client.request('GET', `/containers/${reader}/archive`, { query: { path: `/shared/w${canary}/secret` } })
      .then(async (r) => (await bufferOf(r.body)).toString(), (err) => `error ${err.statusCode}`));
    const upload = await tarBuffer([{ name: `shared-race-${i}`, type: 'file', data: 'race' }]);
    await ctx.d.client.request('PUT', `/containers/${reader}/archive`, { query: { path: `/shared/w${canary}` }, body: upload })
      .then((r) => r.body.resume(), () => undefined);
  }
  assert.ok(got.every((t) => !t.includes('HOST SECRET')), 'a copy read the host\'s file');
  assert.ok(got.some((t) => t.includes('shared')), 'no copy succeeded at all');
  assertCanaryUntouched();
  await ok(['rm', '-f', flipper, reader]);
});

test('berth cp copies both ways like docker cp', async () => {
  const id = await running();
  const r = await ctx.d.berth(['cp', local('in-dir'), `${id}:/tmp/by-berth`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await ok(['exec', id, 'cat', '/tmp/by-berth/inner/x']), 'x\n');
  const out = await ctx.d.berth(['cp', `${id}:/d/.`, local('berth-out')]);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(readdirSync(local('berth-out')).sort(), ['rel', 'sub', 't']);
  const link = await ctx.d.berth(['cp', '-L', `${id}:/lnk`, local('berth-followed')]);
  assert.equal(link.code, 0, link.stderr);
  assert.equal(readFileSync(local('berth-followed/f'), 'utf8'), 'hi\n');
  const stdout = await ctx.d.berth(['cp', `${id}:/d/t`, '-']);
  assert.match(stdout.stdout, /top/);
  const input = await tarBuffer([{ name: 'berth-stdin', type: 'file', data: 'berth stdin\n' }]);
  const fromStdin = await ctx.d.berth(['cp', '-', `${id}:/tmp`], { input });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(await ok(['exec', id, 'cat', '/tmp/berth-stdin']), 'berth stdin\n');
  const ro = await ctx.d.berth(['cp', `${id}:/d/t`, local('no-such-dir/x')]);
  assert.equal(ro.code, 1);
});

test('on a terminal, berth cp ends with docker\'s "Successfully copied" line', async () => {
  const id = await running();
  const env = { ...process.env, BERTH_HOST: ctx.d.host, DOCKER_HOST: ctx.d.host, DOCKER_CONFIG: path.join(ctx.d.dir, 'docker-config') };
  const onTty = (cmd: string) => run('script', ['-qec', cmd, '/dev/null'], { env }).then((r) => r.stdout.split('\n').filter((l) => l.includes('Successfully')).pop());
  const berth = await onTty(`${path.resolve(__dirname, '../../../bin/berth')} cp ${id}:/d/t ${local('tty-berth')}`);
  assert.equal(berth?.trim(), `Successfully copied 2.05kB to ${local('tty-berth')}`);
  const quiet = await onTty(`${path.resolve(__dirname, '../../../bin/berth')} cp -q ${id}:/d/t ${local('tty-quiet')}`);
  assert.equal(quiet, undefined);
});

test('a container frozen by a copy when berthd dies is thawed when it comes back', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  const runcState = async () => JSON.parse((await run('runc', ['--root', path.join(ctx.d.execRoot, 'runc'), 'state', id])).stdout).status as string;
  const head = (await tarBuffer([{ name: 'stalled', type: 'file', data: '' }])).subarray(0, 512);
  // A body that sends one entry header promising 1 GiB and then nothing: the copy stays in progress.
  const body = new Readable({ read() { /* pushed once below */ } });
  body.push(patchSize(head, 1024 ** 3));
  const put = ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/tmp' }, body }).catch(() => undefined);
  for (let i = 0; i < 400 && (await runcState()) !== 'paused'; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await runcState(), 'paused', 'the copy never froze the container');
  await ctx.d.kill9();
  body.destroy();
  await put;
  assert.equal(await runcState(), 'paused');
  await ctx.d.restart();
  assert.equal(await runcState(), 'running');
  assert.equal(await ok(['exec', id, 'echo', 'thawed']), 'thawed\n');
  await ok(['rm', '-f', id]);
});

