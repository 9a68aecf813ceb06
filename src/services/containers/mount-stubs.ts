// The files runc creates in a container's writable layer only to bind-mount over them: never part of the container's changes.
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { defaultRunner, findOpaqueDirs, type CommandRunner } from '../../archive/whiteouts';

/**
 * berth bind-mounts these over the root (as Docker does), so a process can
 * never write them into its layer; when the image lacks them, runc makes an
 * empty file to mount on, which Docker keeps in its excluded init layer.
 */
export const MOUNT_STUBS = ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf'];

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(() => true, () => false);
}

/**
 * Remove the stubs from a stopped container's upper directory `upper` (and
 * /etc when it was made only for them), so a commit of it records what the
 * process did and nothing else. `lowers` are the image's layer directories.
 */
export async function removeMountStubs(upper: string, lowers: string[], runner: CommandRunner = defaultRunner): Promise<void> {
  const etc = path.join(upper, 'etc');
  // A symlink here was made by the process: leave it, and never follow it.
  if (!(await lstat(etc).catch(() => undefined))?.isDirectory()) return;
  for (const stub of MOUNT_STUBS) {
    const p = path.join(upper, stub);
    if ((await lstat(p).catch(() => undefined))?.isFile()) await rm(p);
  }
  if ((await readdir(etc)).length !== 0) return;
  // An empty /etc made for the stubs, or copied up only to hold them, goes too; an opaque one (the process
  // emptied /etc) stays, or the image's files would come back.
  let inImage = false;
  for (const l of lowers) if (await exists(path.join(l, 'etc'))) inImage = true;
  if (inImage && (await findOpaqueDirs(runner, etc)).has(etc)) return;
  await rmdir(etc);
}
