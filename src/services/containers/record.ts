// The container record berth persists, and the state helpers every lifecycle verb shares.
import { ConflictError } from '../../errors';
import type { HealthState } from './health';
import type { HealthConfig } from './health-config';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Only for containers with a HEALTHCHECK. */
  Health?: HealthState;
}

/** Docker's container Config as the client sent it, merged with the image's defaults. */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  Volumes?: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild?: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  NetworkDisabled?: boolean;
  Healthcheck?: HealthConfig;
}

export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** Volume mounts: the volume's name and driver. */
  Name?: string;
  Driver?: string;
  /** Volume mounts not yet started: seed the volume from the image (berth's own, not shown by inspect). */
  CopyData?: boolean;
  /** tmpfs mounts from HostConfig.Mounts (berth's own, not shown by inspect). */
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** Docker's HostConfig; berth reads the fields it implements and keeps the rest as sent. */
export type HostConfig = Record<string, unknown> & {
  Binds?: string[] | null;
  NetworkMode?: string;
  AutoRemove?: boolean;
  ReadonlyRootfs?: boolean;
  ShmSize?: number;
  Mounts?: Array<{ Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }> | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
};

export interface ContainerRecord {
  /** 64 hex characters. */
  id: string;
  /** With the leading slash, as Docker stores it: "/web". */
  name: string;
  created: string;
  /** The resolved program and its arguments. */
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Image ID ("sha256:…"). */
  image: string;
  state: ContainerState;
  restartCount: number;
  mounts: MountPoint[];
  /** conmon's k8s-file log. */
  logPath: string;
  /** Where the root filesystem is mounted while the container runs. */
  rootfsPath: string;
  hostsPath: string;
  hostnamePath: string;
  resolvConfPath: string;
  networkSettings: Record<string, unknown>;
  /** The container was stopped by a user (not a crash): restart policies leave it alone. */
  manuallyStopped?: boolean;
  /** Its root is mounted `volatile` even without AutoRemove (a build step's container). */
  volatileRootfs?: boolean;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function newState(): ContainerState {
  return {
    Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME,
  };
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

export function isRunning(r: ContainerRecord): boolean {
  return r.state.Running;
}

export function setRunning(r: ContainerRecord, pid: number): void {
  Object.assign(r.state, {
    Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: pid, ExitCode: 0, Error: '', StartedAt: new Date().toISOString(),
  });
}

export function setExited(r: ContainerRecord, exitCode: number, finishedAt = new Date(), error = ''): void {
  Object.assign(r.state, {
    Status: 'exited', Running: false, Paused: false, Restarting: false, Pid: 0, ExitCode: exitCode,
    Error: error, FinishedAt: finishedAt.toISOString(),
  });
}

/** Guard for verbs that need a running container. */
export function requireRunning(r: ContainerRecord): void {
  if (!r.state.Running) throw new ConflictError(`Container ${r.id} is not running`);
  if (r.state.Paused) throw new ConflictError(`Container ${r.id} is paused. Unpause the container first`);
}
