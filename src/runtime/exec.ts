// docker exec on conmon: the exec process spec, `conmon --exec` with its sync/start/attach pipes, the exit code.
import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ConflictError, hasCode, InvalidParameterError, NotFoundError, SystemError } from '../errors';
import { connectAttach } from './attach-socket';
import { hostCapabilities } from './capabilities';
import { runcMessage } from './conmon-runtime';
import type { AttachConnection, ExecHandle, ExecOptions, ExecProcessInput } from './index';

/** Where ConmonRuntime keeps things, and the binaries it runs. */
export interface ExecPaths {
  conmonPath: string;
  runtimePath: string;
  runcRoot: string;
  socketDir: string;
  /** `<execRoot>/execs`: one directory per exec session. */
  execsDir: string;
  /** The container's bundle (holds config.json). */
  bundle: string;
  logLevel: string;
}

/**
 * Docker's privileged set is every capability the kernel has; runc cannot
 * grant one berthd lacks itself (a restricted sandbox), so keep those in
 * berthd's own bounding set.
 */
export async function privilegedCapabilities(status?: string): Promise<string[]> {
  const all = hostCapabilities();
  const text = status ?? await fsp.readFile('/proc/self/status', 'utf8').catch(() => '');
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (!hex) return all;
  const bounding = BigInt(`0x${hex}`);
  return all.filter((_, bit) => (bounding >> BigInt(bit)) & 1n);
}

/** The container's process with the exec's args, env, cwd, user and terminal put in. */
export function execProcessSpec(containerProcess: Record<string, unknown>, input: ExecProcessInput, allCaps: string[]): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    ...containerProcess,
    terminal: input.tty,
    args: [...input.args],
    env: [...input.env],
    cwd: input.cwd || '/',
    user: {
      uid: input.user.uid,
      gid: input.user.gid,
      ...(input.user.additionalGids.length > 0 ? { additionalGids: [...input.user.additionalGids] } : {}),
    },
  };
  delete spec.consoleSize;
  if (input.tty && input.consoleSize && input.consoleSize.height > 0 && input.consoleSize.width > 0) {
    spec.consoleSize = { height: input.consoleSize.height, width: input.consoleSize.width };
  }
  if (input.privileged) {
    spec.capabilities = { bounding: [...allCaps], effective: [...allCaps], permitted: [...allCaps] };
  }
  return spec;
}

/** Reads conmon's newline-delimited `{"data": n, "message": "…"}` messages from one of its pipes. */
class SyncReader {
  private buf = '';
  private readonly queue: Array<{ data: number; message?: string }> = [];
  private waiters: Array<(m: { data: number; message?: string } | undefined) => void> = [];
  private ended = false;

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (chunk: Buffer) => {
      this.buf += chunk.toString();
      for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!line) continue;
        try {
          this.push(JSON.parse(line));
        } catch {
          this.push({ data: -1, message: `unreadable message from conmon: ${line}` });
        }
      }
    });
    stream.on('error', () => this.end());
    stream.on('close', () => this.end());
    stream.on('end', () => this.end());
  }

  private push(m: { data: number; message?: string }): void {
    const w = this.waiters.shift();
    if (w) w(m);
    else this.queue.push(m);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** The next message, or undefined once the pipe has closed. */
  next(): Promise<{ data: number; message?: string } | undefined> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Start `conmon --exec` for one exec session. With `attach`, conmon waits on
 * the start pipe until berthd is connected to the session's attach socket,
 * so no output is lost; its sync pipe then answers the pid (or runc's error)
 * and, later, the exit code.
 */
export async function conmonExec(paths: ExecPaths, opts: ExecOptions): Promise<ExecHandle> {
  const config = await fsp.readFile(join(paths.bundle, 'config.json'), 'utf8').catch((err) => {
    if (hasCode(err, 'ENOENT')) throw new NotFoundError(`No such container: ${opts.containerId}`);
    throw err;
  });
  const containerProcess = (JSON.parse(config) as { process?: Record<string, unknown> }).process ?? {};
  const dir = join(paths.execsDir, opts.execId);
  const exitDir = join(dir, 'exit');
  await fsp.mkdir(exitDir, { recursive: true });
  const specPath = join(dir, 'process.json');
  const spec = execProcessSpec(containerProcess, opts.process, opts.process.privileged ? await privilegedCapabilities() : []);
  await fsp.writeFile(specPath, JSON.stringify(spec));

  const args = [
    '--api-version', '1', '-c', opts.containerId, '-u', opts.execId, '-n', opts.containerId,
    '-r', paths.runtimePath, '-b', dir,
    '-p', join(dir, 'pidfile'), '-P', join(dir, 'conmon.pid'),
    '-l', 'none:', '--exit-dir', exitDir, '--socket-dir-path', paths.socketDir,
    '--runtime-arg', '--root', '--runtime-arg', paths.runcRoot,
    '--log-level', paths.logLevel,
    '-e', '--exec-process-spec', specPath,
  ];
  if (opts.attach) args.push('--exec-attach');
  if (opts.stdin && opts.attach) args.push('-i');
  if (opts.process.tty) args.push('-t');

  const env: NodeJS.ProcessEnv = { ...process.env, _OCI_SYNCPIPE: '3' };
  if (opts.attach) Object.assign(env, { _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' });
  const child = spawn(paths.conmonPath, args, {
    detached: true, // own session: an exec outlives a berthd restart, like its container
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', ...(opts.attach ? ['pipe', 'pipe'] as const : [])],
    env,
  });
  child.on('error', () => { /* the sync pipe closes without an answer; reported below */ });
  child.unref();
  const pipes = child.stdio as unknown as Array<NodeJS.ReadWriteStream>;
  const sync = new SyncReader(pipes[3]);
  const cleanup = () => fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);

  let connection: AttachConnection | undefined;
  try {
    if (opts.attach) {
      const start = pipes[4];
      const attachPipe = new SyncReader(pipes[5]);
      start.write('0'); // conmon's first read: before it forks
      const ready = await attachPipe.next();
      if (!ready || ready.data < 0) {
        const failed = await sync.next();
        throw new SystemError(`conmon exec in ${opts.containerId}: ${failed?.message ?? ready?.message ?? 'exited before its attach socket was ready'}`);
      }
      connection = await connectAttach(join(paths.socketDir, opts.execId, 'attach'));
      start.write('1'); // the second read lets runc exec run
      start.end();
    }
    const started = await sync.next();
    if (!started) throw new ConflictError(`cannot exec in container ${opts.containerId}: conmon exited before starting the process (is the container running?)`);
    if (started.data <= 0) {
      throw new InvalidParameterError(`OCI runtime exec failed: ${runcMessage(started.message ?? `runtime failed (${started.data})`)}`);
    }
    const pid = started.data;
    const exited = (async () => {
      const msg = await sync.next();
      let code = msg?.data;
      if (code === undefined || code < 0) {
        code = await fsp.readFile(join(exitDir, opts.containerId), 'utf8').then((t) => parseInt(t, 10), () => NaN);
        if (!Number.isInteger(code) || code < 0) code = 137;
      }
      // Off the exit path: the client learns the exit code without waiting for the directory to go.
      void cleanup();
      return code;
    })();
    return { pid, connection, exited, resize: (h, w) => resizeExec(dir, h, w) };
  } catch (err) {
    connection?.close();
    void cleanup();
    throw err;
  }
}

/** Write a resize to the session's `ctl` fifo (conmon reads `1 <height> <width>`). */
async function resizeExec(dir: string, height: number, width: number): Promise<void> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(join(dir, 'ctl'), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    if (hasCode(err, 'ENOENT') || hasCode(err, 'ENXIO')) throw new ConflictError(`exec session is not running`);
    throw err;
  }
  try {
    await fh.write(`1 ${Math.max(0, Math.trunc(height))} ${Math.max(0, Math.trunc(width))}\n`);
  } finally {
    await fh.close();
  }
}
