// The volume service: named and anonymous volumes of the `local` driver, their records, mounts and users.

/** Label Docker puts on the volumes it creates for image VOLUMEs and `-v /path`; prune removes only these unless all=true. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** What berth persists per volume (metadata kind "volumes", id = name). */
export interface VolumeRecord {
  name: string;
  driver: 'local';
  /** RFC 3339, seconds. */
  createdAt: string;
  labels: Record<string, string> | null;
  /** The local driver's options (type, device, o), as given. */
  options: Record<string, string> | null;
}

export interface CreateVolumeOptions {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** A container using a volume; `running` decides whether a driver mount must stay. */
export interface VolumeUser {
  id: string;
  running: boolean;
}

/**
 * Volumes live at `<data-root>/volumes/<name>/_data`. A volume with driver
 * options (tmpfs, bind) is mounted there when the first running container
 * needs it and unmounted when the last one stops. A volume used by any
 * container (running or not) cannot be removed: Conflict "remove NAME:
 * volume is in use - [ids]". Unknown names are NotFound "get NAME: no such volume".
 */
export interface VolumeService {
  load(): Promise<void>;
  /** Create, or return the existing volume of that name (Conflict if it has another driver). */
  create(opts: CreateVolumeOptions): Promise<object>;
  /** The record of a volume, or undefined. */
  find(name: string): VolumeRecord | undefined;
  inspect(name: string): Promise<object>;
  list(filters: Record<string, string[]>): Promise<{ Volumes: object[]; Warnings: string[] }>;
  /** `force` only turns "no such volume" into success, as in Docker. */
  remove(name: string, opts: { force: boolean }): Promise<void>;
  /** Unused volumes: anonymous ones only unless filter all=true (API ≥ 1.42); before 1.42 every unused one. */
  prune(filters: Record<string, string[]>, apiVersion: string): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }>;
  /** Docker's df entries: each volume with UsageData {Size, RefCount}. */
  usage(): Promise<object[]>;
  /** Mount the volume for container `containerId` at `at` (driver options mounted on first use); returns the host path. */
  acquire(name: string, containerId: string, at?: { destination: string; rw: boolean; propagation: string }): Promise<string>;
  /** Container `containerId` no longer runs with this volume: unmount driver mounts nobody running needs. */
  release(name: string, containerId: string): Promise<void>;
  /** After a restart: unmount driver mounts that no running container needs. */
  reconcile(): Promise<void>;
}
