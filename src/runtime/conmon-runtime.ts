// ContainerRuntime on conmon + runc: bundles, conmon start-up via its sync pipe, runc verbs, exit files and the exit watcher.
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, promises as fsp, watch, type FSWatcher } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConflictError, hasCode, InvalidParameterError, NotFoundError, SystemError } from '../errors';
import type { RunOptions, RunResult } from '../host';
import { runCommand } from '../host/process';
import { connectAttach } from './attach-socket';
import { conmonExec } from './exec';
import { oomKillCount } from './cgroups';
import type { AttachConnection, ContainerRuntime, CreateOptions, ExecHandle, ExecOptions, LinuxResources, RuntimeState, SpecInput } from './index';
import { buildSpec, isCgroupV2 } from './spec';

/** The one thing ConmonRuntime needs from the host seam: run a program to completion. */
export interface CommandRunner {
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
}

export interface ConmonRuntimeOptions {
  execRoot: string;
  /** OCI runtime binary; default `runc` resolved on PATH. */
  runtimePath?: string;
  /** default `conmon` resolved on PATH. */
  conmonPath?: string;
  host?: CommandRunner;
  /** conmon's --log-level (error, warn, info, debug); default error. */
  logLevel?: string;
  /** How long create() waits for conmon's answer; default 60 s. */
  createTimeoutMs?: number;
}

const EXIT_POLL_MS = 1000;
const SOCKET_PATH_MAX = 107; // sun_path is 108 bytes including the NUL
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Find `name` on PATH (plus the sbin dirs daemons often miss); absolute paths are returned as they are. */
export function resolveOnPath(name: string): string {
  if (name.includes('/')) return name;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), fsConstants.X_OK);
      return join(dir, name);
    } catch { /* next */ }
  }
  throw new SystemError(`${name}: executable not found in PATH`);
}

/** runc logs errors as logrus lines (`time=… level=error msg="…"`); return the msg values, else the trimmed text. */
export function runcMessage(text: string): string {
  const msgs: string[] = [];
  for (const m of text.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)) {
    msgs.push(m[1].replace(/\\(.)/g, '$1'));
  }
  return msgs.length > 0 ? msgs.join('; ') : text.trim();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True while `pid` runs; a zombie counts as gone (its reaper may be slow: PID 1 in some sandboxes). */
async function processAlive(pid: number): Promise<boolean> {
  try {
    const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export class ConmonRuntime implements ContainerRuntime {
  private readonly execRoot: string;
  private readonly containersDir: string;
  private readonly exitsDir: string;
  private readonly socketDir: string;
  private readonly runcRoot: string;
  private readonly runtimePath: string;
  private readonly conmonPath: string;
  private readonly runner: CommandRunner;
  private readonly logLevel: string;
  private readonly createTimeoutMs: number;
  private readonly listeners: Array<(id: string, exitCode: number) => void> = [];
  private readonly reported = new Set<string>();
  private watcher?: FSWatcher;
  private poller?: NodeJS.Timeout;
  private closed = false;

  constructor(opts: ConmonRuntimeOptions) {
    this.execRoot = opts.execRoot;
    this.containersDir = join(opts.execRoot, 'containers');
    this.exitsDir = join(opts.execRoot, 'exits');
    this.socketDir = join(opts.execRoot, 's');
    this.runcRoot = join(opts.execRoot, 'runc');
    this.runtimePath = resolveOnPath(opts.runtimePath ?? 'runc');
    this.conmonPath = resolveOnPath(opts.conmonPath ?? 'conmon');
    this.runner = opts.host ?? { run: runCommand };
    this.logLevel = opts.logLevel ?? 'error';
    this.createTimeoutMs = opts.createTimeoutMs ?? 60_000;
    // A 64-hex id must still fit: <socketDir>/<id>/attach.
    if (Buffer.byteLength(join(this.socketDir, 'x'.repeat(64), 'attach')) > SOCKET_PATH_MAX) {
      throw new InvalidParameterError(`exec root ${opts.execRoot} is too long for attach socket paths (108-byte limit)`);
    }
    for (const dir of [this.containersDir, this.exitsDir, this.socketDir, this.runcRoot]) mkdirSync(dir, { recursive: true });
  }

  bundleDir(id: string): string {
    return join(this.containersDir, checkId(id));
  }

  async writeBundle(input: SpecInput): Promise<string> {
    const bundle = this.bundleDir(input.id);
    await fsp.mkdir(bundle, { recursive: true });
    const tmp = join(bundle, `.config.json.${process.pid}`);
    await fsp.writeFile(tmp, JSON.stringify(buildSpec(input), null, 2));
    await fsp.rename(tmp, join(bundle, 'config.json'));
    return bundle;
  }

  create(opts: CreateOptions): Promise<{ pid: number; conmonPid: number }> {
    const id = checkId(opts.id);
    return this.prepareCreate(id, opts.bundle).then(() => this.spawnConmon(id, opts));
  }

  private async prepareCreate(id: string, bundle: string): Promise<void> {
    this.reported.delete(id);
    await Promise.all([
      fsp.rm(join(this.exitsDir, id), { force: true }),
      fsp.rm(join(bundle, 'pidfile'), { force: true }),
      fsp.rm(join(bundle, 'conmon.pid'), { force: true }),
      fsp.rm(join(this.socketDir, id), { force: true }),
    ]);
  }

  /** Spawn conmon detached; its sync pipe (fd 3) answers `{"data": pid}` once `runc create` is done, or -1 and runc's error. */
  private spawnConmon(id: string, opts: CreateOptions): Promise<{ pid: number; conmonPid: number }> {
    const args = [
      '--api-version', '1', '-c', id, '-u', id, '-n', id,
      '-r', this.runtimePath, '-b', opts.bundle,
      '-p', join(opts.bundle, 'pidfile'), '-P', join(opts.bundle, 'conmon.pid'),
      '-l', `k8s-file:${opts.logPath}`,
      '--exit-dir', this.exitsDir, '--socket-dir-path', this.socketDir,
      '--runtime-arg', '--root', '--runtime-arg', this.runcRoot,
      '--log-level', this.logLevel,
    ];
    if (opts.stdin) args.push('-i');
    if (opts.stdin && opts.leaveStdinOpen) args.push('--leave-stdin-open');
    if (opts.tty) args.push('-t');
    return new Promise((resolve, reject) => {
      const child = spawn(this.conmonPath, args, {
        detached: true, // own session: conmon outlives berthd
        stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
        env: { ...process.env, _OCI_SYNCPIPE: '3' },
      });
      const sync = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
      let buf = '';
      let done = false;
      let exitCode: number | null = null;
      const timer = setTimeout(() => {
        // A wedged conmon would otherwise linger with a half-made container.
        void this.readConmonPid0(opts.bundle).then((p) => { if (p > 0) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } });
        finish(new SystemError(`conmon for ${id}: no answer after ${this.createTimeoutMs} ms`));
      }, this.createTimeoutMs);
      const finish = (err: Error | undefined, pid?: number) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sync.destroy(); // conmon keeps the pipe until the container exits; we only need the first answer
        child.unref();
        if (err) {
          this.cleanupFailedCreate(id).finally(() => reject(err));
          return;
        }
        this.readConmonPid(opts.bundle).then((conmonPid) => resolve({ pid: pid!, conmonPid }), reject);
      };
      child.on('error', (err) => finish(new SystemError(`conmon for ${id}: ${err.message}`, { cause: err })));
      child.on('exit', (code) => { exitCode = code; });
      sync.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        let msg: { data?: number; message?: string };
        try {
          msg = JSON.parse(buf.slice(0, nl));
        } catch {
          return finish(new SystemError(`conmon for ${id}: unreadable sync message ${JSON.stringify(buf.slice(0, nl))}`));
        }
        if (typeof msg.data === 'number' && msg.data > 0) return finish(undefined, msg.data);
        const detail = msg.message ? runcMessage(msg.message) : `runtime failed (${msg.data})`;
        finish(new SystemError(`OCI runtime create failed: ${detail}`));
      });
      sync.on('error', () => { /* EOF handling below decides */ });
      sync.on('close', () => {
        // The pipe ends without an answer when conmon itself fails (bad flags, missing bundle).
        setImmediate(() => finish(new SystemError(`conmon for ${id} exited${exitCode === null ? '' : ` with code ${exitCode}`} before creating the container`)));
      });
    });
  }

  private async readConmonPid(bundle: string): Promise<number> {
    for (let i = 0; i < 200; i++) {
      try {
        const n = parseInt(await fsp.readFile(join(bundle, 'conmon.pid'), 'utf8'), 10);
        if (n > 0) return n;
      } catch (err) {
        if (!hasCode(err, 'ENOENT')) throw err;
      }
      await sleep(5);
    }
    return 0;
  }

  private async cleanupFailedCreate(id: string): Promise<void> {
    await this.runc(['delete', '--force', id]).catch(() => undefined);
  }

  private runc(args: string[]): Promise<RunResult> {
    return this.runner.run(this.runtimePath, ['--root', this.runcRoot, ...args], { allowFailure: true, timeoutMs: 30_000 });
  }

  /** Run a runc verb; map "does not exist" to NotFound and state complaints to Conflict. */
  private async runcVerb(verb: string, id: string, args: string[]): Promise<RunResult> {
    const res = await this.runc([verb, ...args]);
    if (res.code === 0) return res;
    const msg = runcMessage(res.stderr || res.stdout);
    if (/does not exist/.test(msg)) throw new NotFoundError(`No such container: ${id}`);
    if (/not running|cannot start|not in created state|paused|cannot delete|stopped/.test(msg)) {
      throw new ConflictError(`container ${id}: ${msg}`);
    }
    throw new SystemError(`runc ${verb} ${id}: ${msg}`);
  }

  async start(id: string): Promise<void> {
    await this.runcVerb('start', id, [checkId(id)]);
  }

  async pause(id: string): Promise<void> {
    await this.runcVerb('pause', id, [checkId(id)]);
  }

  async resume(id: string): Promise<void> {
    await this.runcVerb('resume', id, [checkId(id)]);
  }

  async kill(id: string, signal: string | number): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.toUpperCase();
    await this.runcVerb('kill', id, [checkId(id), sig]);
  }

  async delete(id: string, force = false): Promise<void> {
    checkId(id);
    const bundle = this.bundleDir(id);
    const conmonPid = await this.readConmonPid0(bundle);
    // runc keeps a container's state in <root>/<id>: without it runc would only answer "does not exist".
    const known = await fsp.access(join(this.runcRoot, id)).then(() => true, () => false);
    const res = known ? await this.runc(['delete', ...(force ? ['--force'] : []), id]) : { code: 0, stdout: '', stderr: '' };
    if (res.code !== 0) {
      const msg = runcMessage(res.stderr || res.stdout);
      if (!/does not exist/.test(msg)) throw new ConflictError(`cannot remove container ${id}: ${msg}`);
    }
    // Let conmon write its exit file and go before the files go, so no exit is reported after delete.
    if (conmonPid > 0) {
      for (let i = 0; i < 400 && (await processAlive(conmonPid)); i++) await sleep(5);
    }
    await assertNoMountsUnder(bundle);
    await Promise.all([
      fsp.rm(bundle, { recursive: true, force: true }),
      fsp.rm(join(this.exitsDir, id), { force: true }),
      fsp.rm(join(this.socketDir, id), { force: true }),
    ]);
    this.reported.delete(id);
  }

  private async readConmonPid0(bundle: string): Promise<number> {
    try {
      return parseInt(await fsp.readFile(join(bundle, 'conmon.pid'), 'utf8'), 10) || 0;
    } catch {
      return 0;
    }
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    const res = await this.runc(['state', checkId(id)]);
    if (res.code !== 0) {
      const msg = runcMessage(res.stderr || res.stdout);
      if (/does not exist/.test(msg)) return undefined;
      throw new SystemError(`runc state ${id}: ${msg}`);
    }
    const st = JSON.parse(res.stdout) as { status: RuntimeState['status']; pid: number };
    return { status: st.status, pid: st.pid };
  }

  async exitCode(id: string): Promise<number | undefined> {
    try {
      const text = (await fsp.readFile(join(this.exitsDir, checkId(id)), 'utf8')).trim();
      return /^-?\d+$/.test(text) ? parseInt(text, 10) : undefined;
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  onExit(listener: (id: string, exitCode: number) => void): void {
    this.listeners.push(listener);
    this.startWatching();
  }

  async rescan(): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(this.exitsDir);
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return;
      throw err;
    }
    await Promise.all(names.map((n) => this.checkExit(n)));
  }

  private startWatching(): void {
    if (this.closed || this.watcher || this.poller) return;
    try {
      this.watcher = watch(this.exitsDir, (_event, name) => {
        if (name) void this.checkExit(name.toString());
      });
      this.watcher.on('error', () => { /* the poll below keeps exits flowing */ });
    } catch { /* no inotify: poll only */ }
    // fs.watch can miss events (overflow, some filesystems); a slow sweep catches them.
    this.poller = setInterval(() => { void this.rescan().catch(() => undefined); }, EXIT_POLL_MS);
    this.poller.unref();
  }

  private async checkExit(name: string): Promise<void> {
    if (name.startsWith('.') || !ID_RE.test(name) || this.reported.has(name)) return;
    // conmon writes `<id>.XXXXXX` and renames it into place: only names with a bundle are exits.
    if (!(await fsp.stat(join(this.containersDir, name)).then(() => true, () => false))) return;
    const code = await this.exitCode(name).catch(() => undefined);
    if (code === undefined || this.reported.has(name)) return;
    this.reported.add(name);
    for (const l of this.listeners) {
      try {
        l(name, code);
      } catch { /* a listener's failure is its own */ }
    }
  }

  attach(id: string): Promise<AttachConnection> {
    return connectAttach(join(this.socketDir, checkId(id), 'attach'));
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const ctl = join(this.bundleDir(id), 'ctl');
    let fh: fsp.FileHandle;
    try {
      // Non-blocking: a fifo with no reader (conmon gone) fails with ENXIO instead of hanging.
      fh = await fsp.open(ctl, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    } catch (err) {
      if (hasCode(err, 'ENOENT')) throw new NotFoundError(`No such container: ${id}`);
      if (hasCode(err, 'ENXIO')) throw new ConflictError(`container ${id} is not running`);
      throw err;
    }
    try {
      await fh.write(`1 ${Math.max(0, Math.trunc(height))} ${Math.max(0, Math.trunc(width))}\n`);
    } finally {
      await fh.close();
    }
  }

  exec(opts: ExecOptions): Promise<ExecHandle> {
    checkId(opts.execId);
    return conmonExec({
      conmonPath: this.conmonPath, runtimePath: this.runtimePath, runcRoot: this.runcRoot, socketDir: this.socketDir,
      execsDir: join(this.execRoot, 'execs'), bundle: this.bundleDir(opts.containerId), logLevel: this.logLevel,
    }, opts);
  }

  async update(id: string, resources: LinuxResources): Promise<void> {
    const file = join(this.bundleDir(id), `.resources.${process.pid}.json`);
    await fsp.writeFile(file, JSON.stringify(resources));
    try {
      await this.runcVerb('update', id, ['--resources', file, checkId(id)]);
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  async oomKilled(id: string): Promise<boolean> {
    const spec = await fsp.readFile(join(this.bundleDir(id), 'config.json'), 'utf8').then((t) => JSON.parse(t) as { linux?: { cgroupsPath?: string } }, () => undefined);
    const cgroupsPath = spec?.linux?.cgroupsPath;
    if (!cgroupsPath) return false;
    return (await oomKillCount(cgroupsPath, isCgroupV2())) > 0;
  }

  async pids(id: string): Promise<number[]> {
    const res = await this.runcVerb('ps', id, ['--format', 'json', checkId(id)]);
    return (JSON.parse(res.stdout || 'null') as number[] | null) ?? [];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  /** For diagnostics and tests: where this runtime keeps its state. */
  get paths(): { execRoot: string; exits: string; sockets: string; runcRoot: string } {
    return { execRoot: this.execRoot, exits: this.exitsDir, sockets: this.socketDir, runcRoot: this.runcRoot };
  }
}

function checkId(id: string): string {
  if (!ID_RE.test(id)) throw new InvalidParameterError(`invalid container id: ${JSON.stringify(id)}`);
  return id;
}

/** Refuse to rm -r a bundle with something mounted beneath it (a rootfs left mounted there would be wiped). */
async function assertNoMountsUnder(dir: string): Promise<void> {
  let info: string;
  try {
    info = await fsp.readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  for (const line of info.split('\n')) {
    const mountPoint = line.split(' ')[4]?.replace(/\\040/g, ' ');
    if (mountPoint && (mountPoint === dir || mountPoint.startsWith(prefix))) {
      throw new ConflictError(`cannot remove bundle ${dir}: ${mountPoint} is still mounted`);
    }
  }
}
