// `--rm` containers get a volatile overlay root: their writes are thrown away, so nothing of them is synced.
import { rm } from 'node:fs/promises';
import { release } from 'node:os';
import path from 'node:path';
import type { Mount } from '../../stores/snapshots';

/** overlayfs has had `volatile` since Linux 5.10. */
export function kernelHasVolatileOverlay(kernelRelease = release()): boolean {
  const [major, minor] = kernelRelease.split('.').map((x) => parseInt(x, 10));
  return major > 5 || (major === 5 && minor >= 10);
}

/**
 * `mounts` with overlayfs' `volatile` option, which spares the unmount at exit its sync of the whole
 * upper filesystem (tens to hundreds of ms on a busy disk). Podman does the same for `--rm`: such a
 * container is removed after it exits and is never expected to survive a crash. The kernel refuses to
 * mount a work dir again while the marker of an earlier volatile mount (`work/incompat/volatile`) is
 * there, so that marker is cleared first.
 */
export async function volatileMounts(mounts: Mount[], supported = kernelHasVolatileOverlay()): Promise<Mount[]> {
  if (!supported) return mounts;
  return Promise.all(mounts.map(async (m) => {
    const workdir = m.type === 'overlay' ? m.options.find((o) => o.startsWith('workdir='))?.slice('workdir='.length) : undefined;
    if (workdir === undefined) return m;
    await rm(path.join(workdir, 'work', 'incompat', 'volatile'), { recursive: true, force: true });
    return { ...m, options: [...m.options, 'volatile'] };
  }));
}
