// The container service: records, the lifecycle state machine, attach, logs and listing.
import type { EventEmitter } from 'node:events';
import type { ContainerRecord } from './record';
import type { HealthProbe } from './health';

export type { ContainerRecord } from './record';

export type Filters = Record<string, string[]>;

/** The POST /containers/create body: Config plus HostConfig and NetworkingConfig. */
export type CreateBody = Record<string, unknown> & { HostConfig?: Record<string, unknown>; NetworkingConfig?: unknown };

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  tail?: number;
  since?: Date;
  until?: Date;
  signal: AbortSignal;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  time: string;
  line: Buffer;
}

/** A client attached to a container's stdio. Emits 'data'(stream, chunk) and 'end'. */
export interface AttachSession extends EventEmitter {
  write(chunk: Buffer): void;
  closeStdin(): void;
  detach(): void;
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** The terminal detach sequence in docker's notation ("ctrl-p,ctrl-q" when absent); only a TTY session watches for it. */
  detachKeys?: string;
}

/** Every method takes a name, a full ID or a unique ID prefix; unknown is NotFound "No such container: x". */
export interface ContainerService {
  load(): Promise<void>;
  get(idOrName: string): ContainerRecord;
  /** `volatileRootfs`: the root's writes need never be synced (a build step's container, which is committed then removed). */
  create(name: string | undefined, body: CreateBody, opts?: { volatileRootfs?: boolean }): Promise<{ Id: string; Warnings: string[] }>;
  start(idOrName: string): Promise<void>;
  stop(idOrName: string, opts: { signal?: string; timeout?: number }): Promise<void>;
  restart(idOrName: string, opts: { signal?: string; timeout?: number }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  /** Publish a container event for something another service did to it (docker commit's `commit`). */
  announce(idOrName: string, action: string, extra?: Record<string, string>): void;
  /** Freeze every process (Conflict "is not running" / "is already paused"). */
  pause(idOrName: string): Promise<void>;
  /** Thaw a paused container (Conflict "is not paused"). */
  unpause(idOrName: string): Promise<void>;
  remove(idOrName: string, opts: { force: boolean; volumes: boolean }): Promise<void>;
  wait(idOrName: string, condition: WaitCondition, signal: AbortSignal): Promise<{ StatusCode: number; Error?: { Message: string } }>;
  attach(idOrName: string, opts: AttachOptions): Promise<AttachSession>;
  logs(idOrName: string, opts: LogOptions): AsyncIterable<LogEntry>;
  resize(idOrName: string, height: number, width: number): Promise<void>;
  inspect(idOrName: string): Promise<object>;
  list(opts: { all: boolean; limit?: number; size?: boolean; filters: Filters }): Promise<object[]>;
  rename(idOrName: string, newName: string): Promise<void>;
  top(idOrName: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  prune(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }>;
  /** `docker update`: store new resource limits (HostConfig fields) and apply them to a running container. */
  update(idOrName: string, body: Record<string, unknown>): Promise<{ Warnings: string[] }>;
  /** Docker's stats objects: one (stream false) or one a second until the signal aborts. */
  stats(idOrName: string, opts: { stream: boolean; oneShot: boolean; signal: AbortSignal }): AsyncIterable<object>;
  /** Containers whose image is `imageId`, for rmi. */
  imageUsers(imageId: string): Array<{ id: string; running: boolean }>;
  /** Containers (running or not) whose mounts include volume `name`, for volume rm and prune. */
  volumeUsers(name: string): Array<{ id: string; running: boolean }>;
  /** How HEALTHCHECK probes run (an exec); given once the exec service exists. */
  setHealthProbe(probe: HealthProbe): void;
  /** Stop watching exits; containers keep running. */
  close(): Promise<void>;
}

/** The POST /containers/{id}/exec body, as Docker's ExecConfig. */
export interface ExecCreateBody {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  User?: string;
  WorkingDir?: string;
  Privileged?: boolean;
  DetachKeys?: string;
  /** [height, width] */
  ConsoleSize?: [number, number] | null;
}

/** An attached exec: like an attach session, but silent until `resume()` so no early output is lost. */
export interface ExecSession extends AttachSession {
  resume(): void;
}

/**
 * Exec instances (docker exec): kept in memory, as Docker keeps them, and
 * dropped a while after they exit. Unknown IDs are NotFound "No such exec
 * instance: x"; creating or starting in a container that is not running is a
 * Conflict "Container <id> is not running".
 */
export interface ExecService {
  create(containerIdOrName: string, body: ExecCreateBody): Promise<{ Id: string }>;
  /**
   * Start an exec once. Detached: resolves undefined once the process runs (a
   * failure to start rejects). Attached: resolves a session at once; a failure
   * to start becomes the session's output, and it ends after the exit code is recorded.
   */
  start(execId: string, opts: { detach: boolean; consoleSize?: [number, number] | null }): Promise<ExecSession | undefined>;
  /** Whether the exec has a terminal (decides raw or multiplexed framing). */
  tty(execId: string): boolean;
  inspect(execId: string): object;
  resize(execId: string, height: number, width: number): Promise<void>;
}
