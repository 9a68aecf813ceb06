// End-to-end tests of ConmonRuntime with the real conmon and runc on a busybox rootfs (needs root).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConmonRuntime } from './conmon-runtime';
import type { SpecInput } from './index';
import { readLog } from './log-reader';

const canRun = process.getuid?.() === 0 && existsSync('/bin/busybox');
const CGROUP_PARENT = `/berth-rt-test-${process.pid}`;

function busyboxRootfs(dir: string): string {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const cmd of ['sh', 'echo', 'cat', 'sleep', 'true', 'false', 'ls']) symlinkSync('busybox', join(rootfs, 'bin', cmd));
  mkdirSync(join(rootfs, 'tmp'));
  return rootfs;
}

describe('ConmonRuntime with conmon and runc', { skip: !canRun && 'needs root and /bin/busybox' }, () => {
  let root: string;
  let rootfs: string;
  let rt: ConmonRuntime;
  const exits = new Map<string, number>();
  const waiters = new Map<string, (code: number) => void>();
  let seq = 0;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'brt-'));
    rootfs = busyboxRootfs(root);
    rt = new ConmonRuntime({ execRoot: join(root, 'x') });
    rt.onExit((id, code) => {
      exits.set(id, code);
      waiters.get(id)?.(code);
    });
  });
  after(async () => {
    await rt.close();
    rmSync(root, { recursive: true, force: true });
    for (const ctl of ['cpu', 'memory', 'pids', 'devices', 'freezer', 'blkio', 'cpuset', 'hugetlb', 'cpuacct', 'unified', 'systemd']) {
      try { rmdirSync(join('/sys/fs/cgroup', ctl, CGROUP_PARENT)); } catch { /* not there */ }
    }
  });

  function waitExit(id: string, timeoutMs = 10_000): Promise<number> {
    const known = exits.get(id);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no exit for ${id} after ${timeoutMs} ms`)), timeoutMs);
      waiters.set(id, (code) => { clearTimeout(t); resolve(code); });
    });
  }

  async function prepare(args: string[], opts: { stdin?: boolean; tty?: boolean; leaveStdinOpen?: boolean } = {}) {
    const id = `t${process.pid}-${++seq}`;
    const input: SpecInput = {
      id, rootfs, readonlyRootfs: false, args, env: ['PATH=/bin'], cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] }, hostname: id, tty: opts.tty ?? false,
      network: { mode: 'none' }, mounts: [], shmSize: 64 * 1024 * 1024, cgroupsPath: `${CGROUP_PARENT}/${id}`,
      nofile: { soft: 1024, hard: 1024 },
    };
    const bundle = await rt.writeBundle(input);
    const logPath = join(root, `${id}.log`);
    return { id, bundle, logPath, createOpts: { id, bundle, logPath, tty: opts.tty ?? false, stdin: opts.stdin ?? false, leaveStdinOpen: opts.leaveStdinOpen } };
  }

  /** Remove everything of `id` whatever state it is in: runc delete -f, kill conmon, rm files. */
  async function cleanup(id: string, bundle: string): Promise<void> {
    let conmonPid = 0;
    try { conmonPid = parseInt(readFileSync(join(bundle, 'conmon.pid'), 'utf8'), 10); } catch { /* none */ }
    await rt.delete(id, true).catch(() => undefined);
    if (conmonPid > 0) { try { process.kill(conmonPid, 'SIGKILL'); } catch { /* gone */ } }
    rmSync(bundle, { recursive: true, force: true });
  }

  async function logLines(path: string): Promise<string[]> {
    const out: string[] = [];
    for await (const l of readLog(path)) out.push(`${l.stream}:${l.line.toString()}`);
    return out;
  }

  it('runs echo: the log holds the line and the exit code is 0', async () => {
    const c = await prepare(['echo', 'hello from berth']);
    try {
      const t0 = Date.now();
      const { pid, conmonPid } = await rt.create(c.createOpts);
      assert.ok(pid > 0 && conmonPid > 0);
      assert.deepEqual(await rt.state(c.id), { status: 'created', pid });
      await rt.start(c.id);
      assert.equal(await waitExit(c.id), 0);
      const ms = Date.now() - t0;
      assert.equal(await rt.exitCode(c.id), 0);
      assert.deepEqual(await logLines(c.logPath), ['stdout:hello from berth\n']);
      assert.equal((await rt.state(c.id))?.status, 'stopped');
      console.log(`# create+start+exit of echo: ${ms} ms`);
    } finally {
      await cleanup(c.id, c.bundle);
    }
    assert.equal(await rt.state(c.id), undefined);
    assert.equal(existsSync(c.bundle), false);
  });

  it("reports a non-zero exit code: sh -c 'exit 3' → 3", async () => {
    const c = await prepare(['sh', '-c', 'exit 3']);
    try {
      await rt.create(c.createOpts);
      await rt.start(c.id);
      assert.equal(await waitExit(c.id), 3);
    } finally {
      await cleanup(c.id, c.bundle);
    }
  });

  it('pipes stdin through the attach socket: cat echoes hello and exits 0 on EOF', async () => {
    const c = await prepare(['cat'], { stdin: true });
    try {
      await rt.create(c.createOpts);
      const conn = await rt.attach(c.id);
      let out = '';
      const got = new Promise<void>((resolve) => conn.on('data', (stream, chunk) => {
        if (stream === 'stdout') out += chunk.toString();
        if (out === 'hello') resolve();
      }));
      await rt.start(c.id);
      conn.write(Buffer.from('hello'));
      conn.closeStdin();
      await got;
      assert.equal(await waitExit(c.id), 0);
      conn.close();
      assert.equal(out, 'hello');
    } finally {
      await cleanup(c.id, c.bundle);
    }
  });

  it('kills a sleeping container with SIGKILL → 137, and lists its pids while running', async () => {
    const c = await prepare(['sleep', '100']);
    try {
      const { pid } = await rt.create(c.createOpts);
      await rt.start(c.id);
      assert.equal((await rt.state(c.id))?.status, 'running');
      assert.deepEqual(await rt.pids(c.id), [pid]);
      await rt.resize(c.id, 24, 80); // no terminal: conmon ignores it, but the fifo must accept it
      await rt.kill(c.id, 'SIGKILL');
      assert.equal(await waitExit(c.id), 137);
      await assert.rejects(rt.kill(c.id, 'TERM'), (e: Error & { kind?: string }) => e.kind === 'Conflict');
    } finally {
      await cleanup(c.id, c.bundle);
    }
  });

  it('rejects create with runc\'s message when the executable is missing', async () => {
    for (const [args, want] of [[['/nonexistent'], /no such file or directory/], [['nosuchcmd'], /executable file not found/]] as const) {
      const c = await prepare([...args]);
      try {
        await assert.rejects(rt.create(c.createOpts), (e: Error) => {
          assert.match(e.message, want);
          console.log(`# ${e.message}`);
          return true;
        });
        assert.equal(await rt.state(c.id), undefined);
        assert.equal(await rt.exitCode(c.id), undefined);
      } finally {
        await cleanup(c.id, c.bundle);
      }
    }
  });

  it('rejects create with permission denied for a file that is not executable', async () => {
    const c = await prepare(['/tmp']);
    try {
      await assert.rejects(rt.create(c.createOpts), (e: Error) => { assert.match(e.message, /permission denied/); console.log(`# ${e.message}`); return true; });
    } finally {
      await cleanup(c.id, c.bundle);
    }
  });

  it('survives 300 attach/detach cycles against a real conmon (stdin left open), then still pipes stdin', async () => {
    const c = await prepare(['cat'], { stdin: true, leaveStdinOpen: true });
    try {
      await rt.create(c.createOpts);
      await rt.start(c.id);
      for (let i = 0; i < 300; i++) {
        const conn = await rt.attach(c.id);
        const closed = new Promise<void>((r) => conn.on('close', r));
        if (i % 3 === 0) {
          // close from inside the data handler, on the echo of our own write
          conn.on('data', () => conn.close());
          conn.write(Buffer.from(`ping${i}\n`));
        } else {
          conn.close();
        }
        await closed;
      }
      const conn = await rt.attach(c.id);
      let out = '';
      const got = new Promise<void>((resolve) => conn.on('data', (_s, chunk) => { out += chunk.toString(); if (out.includes('last\n')) resolve(); }));
      conn.write(Buffer.from('last\n'));
      await got;
      conn.closeStdin(); // left open: cat keeps running until killed
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await rt.state(c.id))?.status, 'running');
      conn.close();
      await rt.kill(c.id, 'KILL');
      assert.equal(await waitExit(c.id), 137);
    } finally {
      await cleanup(c.id, c.bundle);
    }
  });

  it('runs with a terminal and resizes it', async () => {
    const c = await prepare(['sh', '-c', 'sleep 0.2; stty size'], { tty: true, stdin: true });
    try {
      await rt.create(c.createOpts);
      const conn = await rt.attach(c.id);
      let out = '';
      conn.on('data', (_s, chunk) => { out += chunk.toString(); });
      await rt.start(c.id);
      await rt.resize(c.id, 33, 77);
      assert.equal(await waitExit(c.id), 0);
      for (let i = 0; i < 50 && !out.includes('33 77'); i++) await new Promise((r) => setTimeout(r, 10));
      conn.close();
      assert.match(out, /33 77/);
    } finally {
      await cleanup(c.id, c.bundle);
    }
  });
});

describe('ConmonRuntime exit watcher', () => {
  it("reports each exit file once, ignoring conmon's temporary files and ids without a bundle", async () => {
    const root = mkdtempSync(join(tmpdir(), 'brw-'));
    const rt = new ConmonRuntime({ execRoot: root, runtimePath: '/bin/true', conmonPath: '/bin/true' });
    const seen: Array<[string, number]> = [];
    try {
      mkdirSync(join(root, 'containers', 'c1'));
      writeFileSync(join(root, 'exits', 'c0'), '0'); // no bundle: not ours any more
      writeFileSync(join(root, 'exits', 'c1.AB12cd'), '5'); // conmon's temp name
      rt.onExit((id, code) => seen.push([id, code]));
      await rt.rescan();
      assert.deepEqual(seen, []);
      writeFileSync(join(root, 'exits', 'c1'), '42');
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      await rt.rescan();
      assert.deepEqual(seen, [['c1', 42]]);
      assert.equal(await rt.exitCode('c1'), 42);
      assert.equal(await rt.exitCode('c2'), undefined);
    } finally {
      await rt.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('delete asks runc only about containers runc keeps state for, and removes the bundle either way', async () => {
    const root = mkdtempSync(join(tmpdir(), 'brd-'));
    const calls: string[][] = [];
    const host = { run: async (_cmd: string, args: string[]) => { calls.push(args); return { code: 0, stdout: '', stderr: '' }; } };
    const rt = new ConmonRuntime({ execRoot: root, runtimePath: '/bin/true', conmonPath: '/bin/true', host });
    try {
      for (const id of ['gone', 'known']) mkdirSync(join(root, 'containers', id));
      mkdirSync(join(root, 'runc', 'known'));
      await rt.delete('gone', true);
      assert.deepEqual(calls, []);
      await rt.delete('known', true);
      assert.deepEqual(calls, [['--root', join(root, 'runc'), 'delete', '--force', 'known']]);
      assert.equal(existsSync(join(root, 'containers', 'gone')), false);
      assert.equal(existsSync(join(root, 'containers', 'known')), false);
    } finally {
      await rt.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses an exec root whose attach socket paths would not fit in 108 bytes', () => {
    assert.throws(() => new ConmonRuntime({ execRoot: `/tmp/${'x'.repeat(60)}`, runtimePath: '/bin/true', conmonPath: '/bin/true' }), /108/);
  });
});
