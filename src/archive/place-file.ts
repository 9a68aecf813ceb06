// One entry put in place as extraction does it: what was there replaced (or refused), a regular file created without following links, then owned, moded and timed.
import { constants, type Stats } from 'node:fs';
import { copyFile, lstat, open, rm, type FileHandle } from 'node:fs/promises';
import { ConflictError, hasCode } from '../errors';
import type { HeldFiles } from './held-files';

export async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p);
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * Make room at `target` (never followed) for an entry: a directory over a
 * directory is kept (answers true), anything else there is removed, unless
 * `noOverwriteDirNonDir` forbids replacing a directory with a non-directory
 * or the reverse (Conflict naming `shownPath` and the entry's `name`). A big
 * regular file removed is first opened into `held`, when given, so the
 * removal drops only its link.
 */
export async function clearTarget(target: string, isDir: boolean, noOverwriteDirNonDir: boolean, shownPath: string, name: string, held?: HeldFiles): Promise<boolean> {
  const existing = await lstatOrUndefined(target);
  if (!existing) return false;
  if (noOverwriteDirNonDir && existing.isDirectory() !== isDir) {
    throw existing.isDirectory()
      ? new ConflictError(`cannot overwrite directory "${shownPath}" with non-directory "${name}"`)
      : new ConflictError(`cannot overwrite non-directory "${shownPath}" with directory "${name}"`);
  }
  if (isDir && existing.isDirectory()) return true;
  await held?.hold(target, existing);
  await rm(target, { recursive: true, force: true });
  return false;
}

export interface FileMeta {
  /** Permission bits, setuid/setgid/sticky included. */
  mode: number;
  /** Set when owners are applied (needs root). */
  owner?: { uid: number; gid: number };
  mtime: Date;
}

/**
 * Create the regular file `target` (O_EXCL|O_NOFOLLOW, so a link put there
 * meanwhile is never followed) with mode 0600, chown it before it is filled
 * (so it is never a root-owned copy of someone's setuid file), fill it, then
 * chmod and set its times, all through the open file.
 */
export async function createFile(target: string, meta: FileMeta, fill: (fh: FileHandle) => Promise<void>): Promise<void> {
  const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    if (meta.owner) await fh.chown(meta.owner.uid, meta.owner.gid);
    await fill(fh);
    await fh.chmod(meta.mode);
    await fh.utimes(meta.mtime, meta.mtime);
  } finally {
    await fh.close();
  }
}

/**
 * Fill an open file from `source` in the kernel (Node's copyFile: a reflink
 * where the filesystem can, else copy_file_range/sendfile). `source` may be a
 * /proc/<pid>/fd/<n> path, which opens that process's file anew. Both ends
 * are reached through /proc/self/fd, so nothing is looked up by name again.
 */
export async function copyInKernel(source: FileHandle | string, fh: FileHandle): Promise<void> {
  const from = typeof source === 'string' ? source : `/proc/self/fd/${source.fd}`;
  await copyFile(from, `/proc/self/fd/${fh.fd}`, constants.COPYFILE_FICLONE);
}

/** Flags for opening a file to read that must be regular: no link followed, no blocking on a FIFO, no controlling tty. */
export const OPEN_REGULAR = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
