// docker exec: exec instances in memory, created against a running container, started once, inspected, resized.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cleanComponents, resolveInRoot } from '../../archive/securejoin';
import { ConflictError, InvalidParameterError, NotFoundError } from '../../errors';
import type { ContainerRuntime, ExecHandle, ExecProcessInput } from '../../runtime';
import { ExecAttachSession } from './exec-session';
import type { ExecCreateBody, ExecService, ExecSession } from './index';
import type { ContainerRecord } from './record';
import { resolveUser } from './user';
import { parseDetachKeys } from './detach-keys';
import { containerEventAttributes } from './context';
import type { EventPublisher } from '../events';

export interface ExecDeps {
  containers: { get(idOrName: string): ContainerRecord };
  runtime: Pick<ContainerRuntime, 'exec'>;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /** Where exec_create, exec_start and exec_die go. */
  events?: EventPublisher;
  /** How long an exited exec stays inspectable; default 5 minutes. */
  keepExitedMs?: number;
}

interface ExecRecord {
  id: string;
  containerId: string;
  config: Required<Omit<ExecCreateBody, 'ConsoleSize' | 'Env' | 'Cmd'>> & { Env: string[]; Cmd: string[]; ConsoleSize: [number, number] | null };
  started: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
  handle?: ExecHandle;
}

const KEEP_EXITED_MS = 5 * 60_000;

export class LocalExecService implements ExecService {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(private readonly deps: ExecDeps) {}

  async create(containerIdOrName: string, body: ExecCreateBody): Promise<{ Id: string }> {
    const r = this.deps.containers.get(containerIdOrName);
    if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw new InvalidParameterError('No exec command specified');
    requireRunning(r);
    parseDetachKeys(body.DetachKeys, 'escape keys');
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, {
      id, containerId: r.id, started: false, running: false, exitCode: null, pid: 0,
      config: {
        AttachStdin: !!body.AttachStdin, AttachStdout: !!body.AttachStdout, AttachStderr: !!body.AttachStderr,
        Tty: !!body.Tty, Env: body.Env ?? [], Cmd: body.Cmd.map(String), User: body.User ?? '', WorkingDir: body.WorkingDir ?? '',
        Privileged: !!body.Privileged, DetachKeys: body.DetachKeys ?? '', ConsoleSize: body.ConsoleSize ?? null,
      },
    });
    this.emit(r, `exec_create: ${eventCommand(body.Cmd)}`, id);
    return { Id: id };
  }

  async start(execId: string, opts: { detach: boolean; consoleSize?: [number, number] | null }): Promise<ExecSession | undefined> {
    const e = this.get(execId);
    if (e.running) throw new ConflictError(`Error: Exec command ${e.id} is already running`);
    if (e.started) throw new ConflictError(`Error: Exec command ${e.id} has already run`);
    const r = this.deps.containers.get(e.containerId);
    requireRunning(r);
    e.started = true;
    e.running = true;
    this.emit(r, `exec_start: ${eventCommand(e.config.Cmd)}`, e.id);
    const size = opts.consoleSize ?? e.config.ConsoleSize;
    if (opts.detach) {
      try {
        this.track(e, await this.deps.runtime.exec({
          execId: e.id, containerId: r.id, process: await execProcess(r, e, size), stdin: false, attach: false,
        }));
      } catch (err) {
        this.failed(e, err);
        throw err;
      }
      return undefined;
    }
    const session = new ExecAttachSession({
      stdin: e.config.AttachStdin, stdout: e.config.AttachStdout, stderr: e.config.AttachStderr,
    }, e.config.Tty, parseDetachKeys(e.config.DetachKeys));
    void (async () => {
      try {
        const handle = await this.deps.runtime.exec({
          execId: e.id, containerId: r.id, process: await execProcess(r, e, size), stdin: e.config.AttachStdin, attach: true,
        });
        const closed = new Promise<void>((resolve) => (handle.connection ? handle.connection.once('close', () => resolve()) : resolve()));
        if (handle.connection) session.bind(handle.connection);
        this.track(e, handle);
        // conmon reports the exit code on another pipe than the output: end only when both are done.
        await Promise.all([handle.exited, closed]);
      } catch (err) {
        this.failed(e, err);
        // Docker writes the failure into the stream, where the CLI prints it.
        session.output('stdout', Buffer.from(`${err instanceof Error ? err.message : String(err)}\r\n`));
      }
      session.finish();
    })();
    return session;
  }

  tty(execId: string): boolean {
    return this.get(execId).config.Tty;
  }

  inspect(execId: string): object {
    const e = this.get(execId);
    return {
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: {
        tty: e.config.Tty,
        entrypoint: e.config.Cmd[0],
        arguments: e.config.Cmd.slice(1),
        privileged: e.config.Privileged,
        ...(e.config.User ? { user: e.config.User } : {}),
      },
      OpenStdin: e.config.AttachStdin,
      OpenStderr: e.config.AttachStderr,
      OpenStdout: e.config.AttachStdout,
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: e.config.DetachKeys,
      Pid: e.pid,
    };
  }

  async resize(execId: string, height: number, width: number): Promise<void> {
    const e = this.get(execId);
    if (!e.handle || !e.running) throw new ConflictError(`Exec ${e.id} is not running`);
    await e.handle.resize(height, width);
  }

  private get(execId: string): ExecRecord {
    const e = this.execs.get(execId);
    if (!e) throw new NotFoundError(`No such exec instance: ${execId}`);
    return e;
  }

  private track(e: ExecRecord, handle: ExecHandle): void {
    e.handle = handle;
    e.pid = handle.pid;
    void handle.exited.then((code) => {
      e.running = false;
      e.exitCode = code;
      this.emitDie(e, code);
      e.handle = undefined;
      this.forgetLater(e);
    });
  }

  /** The runtime could not start the command: 127 when it is missing, 126 otherwise, as Docker reports. */
  private failed(e: ExecRecord, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    e.running = false;
    e.exitCode = startFailureCode(message);
    this.deps.log('debug', `exec ${e.id} in ${e.containerId}: ${message}`);
    this.forgetLater(e);
  }

  /** Docker's exec events: the container's attributes plus execID (and exitCode for exec_die). */
  private emit(r: ContainerRecord, action: string, execId: string, extra: Record<string, string> = {}): void {
    this.deps.events?.publish('container', action, r.id, containerEventAttributes(r, { execID: execId, ...extra }));
  }

  private emitDie(e: ExecRecord, code: number): void {
    let r: ContainerRecord;
    try {
      r = this.deps.containers.get(e.containerId);
    } catch {
      return; // the container is gone: so is its exec
    }
    this.emit(r, 'exec_die', e.id, { exitCode: String(code) });
  }

  private forgetLater(e: ExecRecord): void {
    setTimeout(() => this.execs.delete(e.id), this.deps.keepExitedMs ?? KEEP_EXITED_MS).unref();
  }
}

/** Docker's "entrypoint args…" in exec event actions (with its space even when there are no args). */
function eventCommand(cmd: string[]): string {
  return `${cmd[0]} ${cmd.slice(1).join(' ')}`;
}

export function startFailureCode(message: string): number {
  return /executable file not found|no such file or directory/i.test(message) ? 127 : 126;
}

function requireRunning(r: ContainerRecord): void {
  if (!r.state.Running) throw new ConflictError(`Container ${r.id} is not running`);
  if (r.state.Paused) throw new ConflictError(`Container ${r.id} is paused, unpause the container before exec`);
}

/** The exec's process: the exec's or else the container's user and working directory, the container's env with the exec's on top. */
async function execProcess(r: ContainerRecord, e: ExecRecord, size: [number, number] | null): Promise<ExecProcessInput> {
  const read = async (p: string) => readFile(await resolveInRoot(r.rootfsPath, cleanComponents(p)), 'utf8').catch(() => undefined);
  const user = await resolveUser(e.config.User || r.config.User, read);
  return {
    args: e.config.Cmd,
    env: execEnv(r, e.config.Env, e.config.Tty, user.home),
    cwd: e.config.WorkingDir || r.config.WorkingDir || '/',
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    tty: e.config.Tty,
    privileged: e.config.Privileged,
    consoleSize: size ? { height: size[0], width: size[1] } : undefined,
  };
}

/** Docker's exec environment: PATH (if unset), HOSTNAME, TERM with a TTY, the container's Env, then the exec's replacing; HOME last if unset. */
export function execEnv(r: Pick<ContainerRecord, 'config'>, execEnvList: string[], tty: boolean, home: string): string[] {
  const out: string[] = [];
  const set = (kv: string) => {
    const key = kv.split('=', 1)[0];
    const i = out.findIndex((x) => x.split('=', 1)[0] === key);
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  };
  if (!r.config.Env.some((x) => x.startsWith('PATH='))) set('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  set(`HOSTNAME=${r.config.Hostname}`);
  if (tty) set('TERM=xterm');
  for (const kv of r.config.Env) set(kv);
  for (const kv of execEnvList) set(kv);
  if (!out.some((x) => x.startsWith('HOME='))) out.push(`HOME=${home}`);
  return out;
}
