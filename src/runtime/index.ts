// The runtime seam: OCI bundles run by one conmon per container, runc underneath.
import type { EventEmitter } from 'node:events';
import type { LinuxDevice } from './devices';
import type { OciSeccomp } from './seccomp';

/** What berth decides about a container's process and sandbox; turned into an OCI config.json by buildSpec(). */
export interface SpecInput {
  id: string;
  /** Mounted root filesystem (absolute path). */
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  hostname: string;
  tty: boolean;
  /** 'none': new netns with only lo; 'host': share the host's; 'path': join netnsPath. */
  network: { mode: 'none' | 'host' | 'path'; netnsPath?: string };
  /** Extra mounts after Docker's defaults (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, cgroup). */
  mounts: Array<{ destination: string; source: string; type: 'bind' | 'tmpfs'; options: string[] }>;
  /** Size of /dev/shm in bytes (Docker's default 64 MiB). */
  shmSize: number;
  /** cgroup path for the container, e.g. "/berth/<id>". */
  cgroupsPath: string;
  /** RLIMIT_NOFILE soft/hard to give the process; never above the daemon's own hard limit. */
  nofile: { soft: number; hard: number };
  /** Bounding/effective/permitted capabilities; Docker's 14 defaults when omitted. */
  capabilities?: string[];
  /** Docker's --privileged sandbox: no masked or read-only paths, /sys and the cgroup mount writable, every device allowed. */
  privileged?: boolean;
  /** Docker's systempaths=unconfined: no masked or read-only /proc and /sys paths. */
  systemPathsUnconfined?: boolean;
  noNewPrivileges?: boolean;
  /** The OCI seccomp filter; the container runs unconfined when omitted. */
  seccomp?: OciSeccomp;
  /** Device nodes created in the container, each allowed in the device cgroup with `permissions` ("rwm"). */
  devices?: Array<LinuxDevice & { permissions: string }>;
  /** Extra rlimits (RLIMIT_CORE, …); an RLIMIT_NOFILE here replaces `nofile`. Never above the daemon's own hard limits. */
  rlimits?: Array<{ type: string; soft: number; hard: number }>;
  /** cgroup limits (OCI linux.resources without devices). */
  resources?: LinuxResources;
}

/** The OCI linux.resources fields berth sets; absent fields leave the cgroup default. */
export interface LinuxResources {
  memory?: { limit?: number; reservation?: number; swap?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight?: number };
}

export interface CreateOptions {
  id: string;
  /** Directory holding config.json (written by writeBundle). */
  bundle: string;
  /** conmon k8s-file log path. */
  logPath: string;
  tty: boolean;
  /** Keep the container's stdin open for attach (docker -i). */
  stdin: boolean;
  /**
   * Docker's StdinOnce=false: the container's stdin stays open when an attach
   * client disconnects or half-closes (conmon --leave-stdin-open). Default
   * false: the first client's EOF closes it, as `docker run -i` wants.
   */
  leaveStdinOpen?: boolean;
}

export interface RuntimeState {
  status: 'created' | 'running' | 'stopped' | 'paused';
  pid: number;
}

/** One attach connection to conmon's socket. Emits 'data' (stream, chunk) and 'close'. */
export interface AttachConnection extends EventEmitter {
  on(event: 'data', listener: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: string, listener: (...args: any[]) => void): this;
  /** Bytes to the container's stdin. */
  write(chunk: Buffer): void;
  /** Half-close: conmon then closes the container's stdin. */
  closeStdin(): void;
  /** Close the connection (destroy is always deferred out of 'data' handlers). Idempotent. */
  close(): void;
}

/** A process to run in a running container (docker exec); the rest of its settings come from the container's own process. */
export interface ExecProcessInput {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  /** Every capability the kernel knows, as Docker's `exec --privileged` gives. */
  privileged: boolean;
  consoleSize?: { height: number; width: number };
}

export interface ExecOptions {
  /** The exec session's ID (64 hex); names its directory and attach socket. */
  execId: string;
  containerId: string;
  process: ExecProcessInput;
  /** Keep a stdin pipe to the process (docker exec -i). */
  stdin: boolean;
  /** Connect to the process's stdio before it starts; without it, output is discarded (docker exec -d). */
  attach: boolean;
}

/** A started exec process. */
export interface ExecHandle {
  pid: number;
  /** The process's stdio, when started with `attach`. Closes after the process exits and its output is drained. */
  connection?: AttachConnection;
  /** Resolves with the exit code (128+N for a signal); never rejects. */
  readonly exited: Promise<number>;
  /** Resize the exec's terminal. */
  resize(height: number, width: number): Promise<void>;
}

/**
 * Drives conmon + runc. Layout under the exec root:
 * `containers/<id>/` bundle (config.json, conmon pidfile, ctl/winsz/attach),
 * `exits/<id>` exit files written by conmon, `s/` short socket dir,
 * `runc/` runc state root. conmon is double-forked so it outlives berthd.
 */
export interface ContainerRuntime {
  /** Write `<execRoot>/containers/<id>/config.json` from the spec; returns the bundle dir. */
  writeBundle(input: SpecInput): Promise<string>;
  /** Start conmon, which runs `runc create`; resolves once the container's pid exists (runc status "created"). */
  create(opts: CreateOptions): Promise<{ pid: number; conmonPid: number }>;
  /** `runc start`. */
  start(id: string): Promise<void>;
  /** Signal the container's init (name like "SIGTERM"/"TERM" or number). NotFound/Conflict when not running. */
  kill(id: string, signal: string | number): Promise<void>;
  /** `runc delete` (force kills first) and remove the bundle and exit file. Absent is not an error. */
  delete(id: string, force?: boolean): Promise<void>;
  /** runc's view of the container, or undefined when runc does not know it. */
  state(id: string): Promise<RuntimeState | undefined>;
  /** Exit code conmon recorded, or undefined when it has not exited (no exit file). */
  exitCode(id: string): Promise<number | undefined>;
  /** Call `listener(id, exitCode)` whenever an exit file appears (also for exits found at start-up by `rescan`). */
  onExit(listener: (id: string, exitCode: number) => void): void;
  /** Report exit files already present (after a daemon restart). */
  rescan(): Promise<void>;
  /** Connect to the container's attach socket. */
  attach(id: string): Promise<AttachConnection>;
  /** Resize the container's terminal. */
  resize(id: string, height: number, width: number): Promise<void>;
  /**
   * Run a further process in the running container `containerId` (conmon --exec).
   * Rejects with InvalidParameter "OCI runtime exec failed: …" (runc's words)
   * when the runtime cannot start the command, NotFound when the container has no bundle.
   */
  exec(opts: ExecOptions): Promise<ExecHandle>;
  /** PIDs (host namespace) of every process in the container. */
  pids(id: string): Promise<number[]>;
  /** `runc update`: apply new cgroup limits to a running container. NotFound/Conflict when it is not running. */
  update(id: string, resources: LinuxResources): Promise<void>;
  /** `runc pause`: freeze every process of the container (cgroup freezer, v1 or v2). Conflict when it is not running. */
  pause(id: string): Promise<void>;
  /** `runc resume`: thaw a paused container. Conflict when it is not paused. */
  resume(id: string): Promise<void>;
  /** Whether the OOM killer struck inside the container's cgroup; read before `delete` (false once the cgroup is gone). */
  oomKilled(id: string): Promise<boolean>;
  /** Stop watching; leaves containers and conmons running. */
  close(): Promise<void>;
}
