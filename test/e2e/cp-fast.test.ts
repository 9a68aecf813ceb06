// berth cp's same-machine fast path (an open fd copied in the kernel): the same results, refusals and safety as the tar path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync,
  readlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { identityOf, type FastSource } from '../../src/archive/fd-handoff';
import { firstLine } from '../../src/cli/commands/cp-fast';
import { run, useDaemon, type CommandResult } from './harness';

const ctx = useDaemon();
const BERTH = path.resolve(__dirname, '../../../bin/berth');
let tmp = '';
let canary = '';
let canarySnapshot = '';

before(() => {
  tmp = mkdtempSync('/tmp/berth-cpfast-');
  canary = path.join(tmp, 'canary');
  mkdirSync(canary);
  writeFileSync(path.join(canary, 'secret'), 'HOST SECRET\n');
  canarySnapshot = snapshot(canary);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function local(...parts: string[]): string {
  return path.join(tmp, ...parts);
}

function snapshot(dir: string): string {
  return readdirSync(dir).sort().map((n) => `${n} ${readFileSync(path.join(dir, n), 'utf8')}`).join('\n');
}

function assertCanaryUntouched(): void {
  assert.equal(snapshot(canary), canarySnapshot, 'the host directory outside the container changed');
}

/** berth cp forced onto one path: 'fast' fails rather than fall back, 'tar' never tries the fast path. */
function berthCp(way: 'fast' | 'tar', args: string[]): Promise<CommandResult> {
  const env = { ...process.env, BERTH_HOST: ctx.d.host, BERTH_CP_FASTCOPY: way === 'fast' ? 'required' : '', BERTH_CP_NO_FASTCOPY: way === 'tar' ? '1' : '' };
  return run(BERTH, ['cp', ...args], { env });
}

async function ok(args: string[]): Promise<string> {
  const r = await ctx.d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function both(args: (way: string) => string[]): Promise<void> {
  for (const way of ['fast', 'tar'] as const) {
    const r = await berthCp(way, args(way));
    assert.equal(r.code, 0, `${way}: berth cp ${args(way).join(' ')}: ${r.stderr}`);
  }
}

/** What a copy must keep, compared between the two paths (ctime and inode aside). */
function facts(file: string): string {
  const st = lstatSync(file, { bigint: true });
  return `mode=${st.mode.toString(8)} owner=${st.uid}:${st.gid} size=${st.size} mtimeNs=${st.mtimeNs} body=${readFileSync(file).toString('base64').slice(0, 64)}`;
}

async function rootOf(id: string): Promise<string> {
  return `/proc/${(await ok(['inspect', '-f', '{{.State.Pid}}', id])).trim()}/root`;
}

test('into and out of a container, the fast path gives what the tar path gives: content, mode, mtime, owner, with and without -a', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', '--user', 'nobody', 'busybox', 'sleep', '600'])).trim();
  const src = local('src');
  writeFileSync(src, Buffer.alloc(3 << 20, 7));
  chownSync(src, 1234, 5678);
  chmodSync(src, 0o4751);
  utimesSync(src, 1_600_000_000.123456, 1_600_000_000.987654);
  const root = await rootOf(id);
  await both((way) => [src, `${id}:/tmp/${way}-plain`]);
  await both((way) => ['-a', src, `${id}:/tmp/${way}-archived`]);
  assert.equal(facts(`${root}/tmp/fast-plain`), facts(`${root}/tmp/tar-plain`));
  assert.equal(facts(`${root}/tmp/fast-archived`), facts(`${root}/tmp/tar-archived`));
  assert.match(facts(`${root}/tmp/fast-plain`), /^mode=104751 owner=1234:5678 size=3145728 mtimeNs=1600000000000000000 /);
  assert.match(facts(`${root}/tmp/fast-archived`), /owner=65534:65534/);
  await both((way) => [`${id}:/tmp/fast-plain`, local(`${way}-out`)]);
  assert.equal(facts(local('fast-out')), facts(local('tar-out')));
  assert.match(facts(local('fast-out')), /^mode=104751 owner=0:0 size=3145728 mtimeNs=1600000000000000000 /);
  // Over an existing file, and into an existing directory under the source's name.
  mkdirSync(local('into-dir'));
  await both((way) => [`${id}:/tmp/fast-archived`, way === 'fast' ? local('fast-out') : local('into-dir')]);
  assert.equal(facts(local('fast-out')), facts(local('into-dir/fast-archived')));
  await ok(['rm', '-f', id]);
});

test('the fast path refuses what the tar path refuses, with the same message and exit code', async () => {
  const ro = local('ro');
  mkdirSync(ro);
  writeFileSync(local('f'), 'f\n');
  const id = (await ok(['run', '-d', '--network', 'none', '--read-only', '-v', `${ro}:/ro:ro`, '-v', `${local()}:/rw`, 'busybox', 'sleep', '600'])).trim();
  mkdirSync(local('f-as-dir'));
  mkdirSync(local('f-as-dir', 'f'));
  // Into: compared with the real docker CLI (berth's tar upload may see EPIPE when berthd refuses before reading it).
  const into: string[][] = [
    [local('f'), `${id}:/`],
    [local('f'), `${id}:/ro/`],
    [local('f'), `${id}:/rw/f-as-dir/`],
    [local('f'), `${id}:/nowhere/at/all`],
    [local('f'), 'no-such-container:/tmp'],
  ];
  const out: string[][] = [
    [`${id}:/nope`, local('x')],
    [`${id}:/rw/f`, local('f-as-dir')],
    [`${id}:/rw/f`, local('no-dir', 'x')],
  ];
  for (const [args, other] of [...into.map((a) => [a, ctx.d.docker(['cp', ...a])] as const), ...out.map((a) => [a, berthCp('tar', a)] as const)]) {
    const fast = await berthCp('fast', args);
    const expected = await other;
    assert.notEqual(expected.code, 0, `berth cp ${args.join(' ')} succeeded`);
    assert.deepEqual([fast.code, fast.stderr], [expected.code, expected.stderr], `berth cp ${args.join(' ')}`);
  }
  assert.deepEqual(readdirSync(ro), []);
  await ok(['rm', '-f', id]);
});

test('stopped and created containers take the fast path both ways, and their root is unmounted after', async () => {
  writeFileSync(local('s'), 'stopped\n');
  const stopped = (await ok(['run', '-d', '--network', 'none', 'busybox', 'true'])).trim();
  await ok(['wait', stopped]);
  const created = (await ok(['create', '--network', 'none', 'busybox', 'true'])).trim();
  for (const id of [stopped, created]) {
    await both((way) => [local('s'), `${id}:/${way}`]);
    await both((way) => [`${id}:/${way}`, local(`${way}-${id.slice(0, 6)}`)]);
    assert.equal(facts(local(`fast-${id.slice(0, 6)}`)), facts(local(`tar-${id.slice(0, 6)}`)));
    assert.equal(readFileSync(local(`fast-${id.slice(0, 6)}`), 'utf8'), 'stopped\n');
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(id), 'the rootfs stayed mounted after the copy');
  }
  await ok(['rm', stopped, created]);
});

test('directories, links and - keep the tar path; BERTH_CP_FASTCOPY=required says why not', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  await ok(['exec', id, 'sh', '-c', 'mkdir /d && echo x > /d/x && ln -s /d/x /l']);
  for (const args of [[`${id}:/d`, local('dir-out')], [`${id}:/l`, local('link-out')]]) {
    const r = await berthCp('fast', args);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fast copy not possible: not a regular file/);
    assert.equal((await run(BERTH, ['cp', ...args], { env: { ...process.env, BERTH_HOST: ctx.d.host } })).code, 0);
  }
  assert.equal(lstatSync(local('link-out')).isSymbolicLink(), true);
  assert.equal(readFileSync(local('dir-out/x'), 'utf8'), 'x\n');
  await ok(['rm', '-f', id]);
});

/** The fast routes driven directly, with this (root) process holding or opening the files. */
async function fastIn(id: string, dir: string, name: string, file: string, tweak: Partial<FastSource> = {}): Promise<number> {
  const fd = openSync(file, 'r');
  try {
    const source: FastSource = { path: `/proc/${process.pid}/fd/${fd}`, ...identityOf(lstatSync(file, { bigint: true })), ...tweak };
    const res = await ctx.d.client.request('POST', `/berth/containers/${id}/fastcopy/in`, { versioned: false, query: { path: dir, name }, body: source });
    res.body.resume();
    return res.statusCode;
  } catch (err) {
    return (err as { statusCode: number }).statusCode;
  } finally {
    closeSync(fd);
  }
}

async function fastOut(id: string, p: string): Promise<string> {
  try {
    const res = await ctx.d.client.request('GET', `/berth/containers/${id}/fastcopy/out`, { versioned: false, query: { path: p } });
    const offer = JSON.parse(await firstLine(res.body)) as { source: FastSource };
    const body = readFileSync(offer.source.path, 'utf8');
    res.body.destroy();
    return body;
  } catch (err) {
    return `error ${(err as { statusCode: number }).statusCode}`;
  }
}

test('links and .. in the container never lead the fast path to the host', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  await ok(['exec', id, 'sh', '-c', `ln -s / /esc && ln -s ../../../../.. /dots && mkdir -p ${canary} && echo container > ${canary}/secret`]);
  writeFileSync(local('in'), 'in\n');
  for (const p of [`/esc${canary}/secret`, `/dots${canary}/secret`, `/../..${canary}/secret`]) {
    assert.equal(await fastOut(id, p), 'container\n', p);
    const r = await berthCp('fast', [`${id}:${p}`, local('got')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(local('got'), 'utf8'), 'container\n');
  }
  assert.equal(await fastIn(id, `/esc${canary}`, 'dropped', local('in')), 200);
  assert.equal((await berthCp('fast', [local('in'), `${id}:/dots${canary}/`])).code, 0);
  assert.equal(await ok(['exec', id, 'cat', `${canary}/dropped`, `${canary}/in`]), 'in\nin\n');
  assertCanaryUntouched();
  await ok(['rm', '-f', id]);
});

test('hostile fast copy requests are refused: names, sources that are not the file described, FIFOs', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  writeFileSync(local('h'), 'h\n');
  for (const name of ['../escape', '..', '.', '', 'a/b']) assert.equal(await fastIn(id, '/tmp', name, local('h')), 400, name);
  assert.equal(await fastIn(id, '/tmp', 'x', local('h'), { path: '/etc/shadow' }), 400);
  assert.equal(await fastIn(id, '/tmp', 'x', local('h'), { path: `/proc/${process.pid}/fd/../../1/root/etc/shadow` }), 400);
  assert.equal(await fastIn(id, '/tmp', 'x', local('h'), { ino: '1' }), 412);
  assert.equal(await fastIn(id, '/tmp', 'x', local('h'), { size: '999' }), 412);
  execFileSync('mkfifo', [local('fifo')]);
  const fifo = openSync(local('fifo'), 'r+');
  try {
    const source = { path: `/proc/${process.pid}/fd/${fifo}`, ...identityOf(lstatSync(local('fifo'), { bigint: true })) };
    const res = await ctx.d.client.request('POST', `/berth/containers/${id}/fastcopy/in`, { versioned: false, query: { path: '/tmp', name: 'x' }, body: source })
      .then(() => 200, (err) => err.statusCode);
    assert.equal(res, 412);
  } finally {
    closeSync(fifo);
  }
  assert.equal((await ok(['exec', id, 'ls', '/tmp'])).trim(), '');
  await ok(['exec', id, 'mkfifo', '/tmp/p']);
  assert.equal(await fastOut(id, '/tmp/p'), 'error 412');
  assert.equal(await fastOut(id, '/missing'), 'error 404');
  await ok(['rm', '-f', id]);
});

test('a link flipped in a loop during fast copies (CVE-2018-15664) never reads or writes the host', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c',
    `mkdir -p /w${canary} && echo container > /w${canary}/secret && ` +
    'while :; do mv /w /w.real; ln -s / /w; rm /w; mv /w.real /w; done'])).trim();
  writeFileSync(local('race'), 'race\n');
  const got: string[] = [];
  const codes: number[] = [];
  for (let i = 0; i < 30; i++) {
    got.push(await fastOut(id, `/w${canary}/secret`));
    codes.push(await fastIn(id, `/w${canary}`, `race-${i}`, local('race')));
  }
  assert.ok(got.every((t) => !t.includes('HOST SECRET')), 'a copy read the host\'s file');
  assert.ok(got.some((t) => t === 'container\n'), 'no copy succeeded at all');
  assert.ok(codes.some((c) => c === 200), 'no copy in succeeded at all');
  assertCanaryUntouched();
  assert.equal(existsSync(path.join(canary, 'race-0')), false);
  await ok(['rm', '-f', id]);
});

test('/_ping advertises the fast path (berth cp asks before trying it; a dockerd does not say so)', async () => {
  const ping = await ctx.d.client.ping();
  assert.equal(ping.headers['x-berth-fastcopy'], '1');
});

/** berthd's open files that name a deleted `name`. */
function deletedHeldBy(pid: number, name: string): string[] {
  return readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  }).filter((l) => l.endsWith(`/${name} (deleted)`));
}

test('a big file replaced (fast and tar path) is the new one when the copy returns; the old one is closed after the answer', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  const pid = Number(readFileSync(path.join(ctx.d.dir, 'berthd.pid'), 'utf8'));
  const root = await rootOf(id);
  let round = 0;
  for (const way of ['fast', 'tar', 'fast'] as const) {
    const body = Buffer.alloc(3 << 20, `round ${++round} ${way}\n`);
    writeFileSync(local('replaced'), body);
    const r = await berthCp(way, [local('replaced'), `${id}:/tmp/`]);
    assert.equal(r.code, 0, `${way}: ${r.stderr}`);
    assert.ok(readFileSync(path.join(root, 'tmp/replaced')).equals(body), `${way}: the container does not see the new file`);
  }
  // Closed in berthd's threadpool once the answer is out: wait for it, however long that takes.
  while (deletedHeldBy(pid, 'replaced').length > 0) await new Promise((done) => setTimeout(done, 10));
  assert.deepEqual(deletedHeldBy(pid, 'replaced'), []);
  await ok(['rm', '-f', id]);
});
