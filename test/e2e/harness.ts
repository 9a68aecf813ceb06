// Starts an isolated berthd for one test file (own roots, socket, bridge, subnet) and removes every trace afterwards.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { runCommand } from '../../src/host/process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EngineClient } from '../../src/client';
import { busyboxRootfsTar } from '../../src/baseimage/busybox';
import { cleanNetworking } from './net-cleanup';
import { cgroup2Root, detachRedirect } from '../../src/services/networks/sock-redirect';

const ROOT = path.resolve(__dirname, '../../..');
export const DOCKER = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDaemon {
  dir: string;
  socket: string;
  host: string;
  dataRoot: string;
  execRoot: string;
  bridge: string;
  subnet: string;
  client: EngineClient;
  /** Run the real docker CLI against this daemon. */
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<CommandResult>;
  /** Run our berth CLI against this daemon. */
  berth(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<CommandResult>;
  /** SIGKILL the daemon (containers stay). */
  kill9(): Promise<void>;
  /** SIGTERM the daemon and wait for it to exit. */
  stop(): Promise<void>;
  /** Start the daemon again on the same roots. */
  restart(): Promise<void>;
  /** Kill everything this daemon started, unmount, delete its roots. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Run a program to completion and keep its exit code, whatever it is (the one spawner, with the tests' longer timeout). */
export function run(cmd: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CommandResult> {
  return runCommand(cmd, args, { ...opts, timeoutMs: opts.timeoutMs ?? 60_000, allowFailure: true });
}

/** `netns`: a pinned network namespace file to run berthd in (its bridges and iptables then live there only). */
export async function startDaemon(opts: { netns?: string } = {}): Promise<TestDaemon> {
  const dir = mkdtempSync('/tmp/berth-e2e-');
  const tag = randomBytes(3).toString('hex');
  const socket = path.join(dir, 'berth.sock');
  const dataRoot = path.join(dir, 'data');
  const execRoot = path.join(dir, 'x');
  const bridge = `bt${tag}`;
  const subnet = `10.${100 + (parseInt(tag.slice(0, 2), 16) % 100)}.${parseInt(tag.slice(2, 4), 16)}.1/24`;
  const host = `unix://${socket}`;
  let proc: ChildProcess | undefined;
  let log = '';

  const launch = async () => {
    const argv = [process.execPath, path.join(ROOT, 'bin/berthd'), '-H', host, '--data-root', dataRoot, '--exec-root', execRoot,
      '--bridge', bridge, '--bip', subnet, '--pidfile', path.join(dir, 'berthd.pid')];
    if (opts.netns) argv.unshift('nsenter', `--net=${opts.netns}`);
    proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (b) => (log += b.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`berthd exited (${proc.exitCode}): ${log}`);
      const ok = await new EngineClient({ host }).ping().then(() => true, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`berthd did not answer: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const waitExit = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));
  const env = { ...process.env, DOCKER_HOST: host, BERTH_HOST: host, DOCKER_CONFIG: path.join(dir, 'docker-config'), DOCKER_CLI_HINTS: 'false' };

  let cleaned = false;
  const daemon: TestDaemon = {
    dir, socket, host, dataRoot, execRoot, bridge, subnet,
    client: new EngineClient({ host }),
    docker: (args, opts = {}) => run(DOCKER, args, { ...opts, env }),
    berth: (args, opts = {}) => run(path.join(ROOT, 'bin/berth'), args, { ...opts, env }),
    async kill9() {
      if (!proc) return;
      proc.kill('SIGKILL');
      await waitExit(proc);
    },
    async stop() {
      if (!proc) return;
      proc.kill('SIGTERM');
      await waitExit(proc);
    },
    async restart() {
      await launch();
      daemon.client = new EngineClient({ host });
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      if (proc && proc.exitCode === null) {
        proc.kill('SIGKILL');
        await waitExit(proc);
      }
      killContainers(execRoot);
      // Before the unmount: its published-port programs stay attached to the cgroup after their pins are gone.
      const cgroup = await cgroup2Root();
      if (cgroup) await detachRedirect(run, cgroup, bridge);
      unmountUnder(dir);
      cleanNetworking(dataRoot, bridge, opts.netns);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await launch();
  } catch (err) {
    await daemon.cleanup();
    throw err;
  }
  return daemon;
}

/** Kill every container runc knows under this exec root, and their conmons. */
function killContainers(execRoot: string): void {
  const runcRoot = path.join(execRoot, 'runc');
  if (existsSync(runcRoot)) {
    for (const id of readdirSync(runcRoot)) {
      try { execFileSync('runc', ['--root', runcRoot, 'kill', id, 'KILL'], { stdio: 'ignore' }); } catch { /* already gone */ }
      try { execFileSync('runc', ['--root', runcRoot, 'delete', '-f', id], { stdio: 'ignore' }); } catch { /* already gone */ }
    }
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.startsWith('conmon') || cmdline.includes('/conmon\0')) {
        if (cmdline.includes(execRoot)) process.kill(Number(pid), 'SIGKILL');
      }
    } catch { /* exited meanwhile */ }
  }
}

/** Unmount everything mounted under `dir`, deepest first. */
export function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && (m === dir || m.startsWith(dir + '/')));
  for (const m of mounts.sort((a, b) => b.length - a.length)) {
    try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* raced */ }
  }
}

/** Import the busybox base image as busybox:latest through the API. */
export async function makeBusybox(d: TestDaemon): Promise<string> {
  const res = await d.client.request('POST', '/images/create', {
    query: { fromSrc: '-', repo: 'busybox', tag: 'latest', changes: ['CMD ["sh"]'] },
    body: busyboxRootfsTar(),
    headers: { 'Content-Type': 'application/x-tar' },
  });
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString().trim().split('\n').pop()!).status;
}

/**
 * One daemon per test file, started before its tests (with busybox:latest
 * imported unless `busybox: false`) and cleaned up after them, even on failure.
 */
export function useDaemon(opts: { busybox?: boolean } = {}): { readonly d: TestDaemon; readonly busyboxId: string } {
  const { before, after } = require('node:test') as typeof import('node:test');
  const state = { d: undefined as unknown as TestDaemon, busyboxId: '' };
  before(async () => {
    state.d = await startDaemon();
    if (opts.busybox !== false) state.busyboxId = await makeBusybox(state.d);
  });
  after(async () => { await state.d?.cleanup(); });
  return state;
}
