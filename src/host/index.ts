// The host seam: everything that changes the machine outside berth's own files (processes, mounts).
import type { Mount } from '../stores/snapshots';
import type { RunOptions, RunResult } from './process';

export type { RunOptions, RunResult } from './process';

/**
 * Side effects on the host go through this interface so the logic above it
 * can be unit-tested with a recording fake; the real one is `LinuxHost`.
 */
export interface Host {
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Mount `mounts` in order on `target` (created if missing). */
  mount(mounts: Mount[], target: string): Promise<void>;
  /** Unmount `target` (lazily if busy); not mounted is not an error. */
  unmount(target: string): Promise<void>;
}
