// A container's filesystem seen from outside: what changed against its image (docker diff) and the whole tree as a tar (docker export).
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { packDir } from '../../archive/pack';
import { findOpaqueDirs } from '../../archive/whiteouts';
import type { Host } from '../../host';
import { chainIDs, type Snapshotter } from '../../stores/snapshots';
import type { ImageService } from '../images';
import { MOUNT_STUBS } from './mount-stubs';
import type { ContainerRecord } from './record';

export interface FilesystemDeps {
  images: ImageService;
  snapshots: Snapshotter;
  host: Host;
  /** Where a stopped container's root is mounted for export. */
  tmpDir: string;
}

/** Docker's change kinds. */
export const enum ChangeKind { Modified = 0, Added = 1, Deleted = 2 }

async function existsIn(dirs: string[], rel: string): Promise<boolean> {
  for (const d of dirs) {
    if (await lstat(path.join(d, rel)).then(() => true, () => false)) return true;
  }
  return false;
}

/**
 * The container's changes, read from its upper directory: an entry the image
 * has is Modified (directories included, as overlay copies them up), a new
 * one Added, a whiteout Deleted. Sorted by path, as Docker sorts them.
 */
export async function containerChanges(deps: FilesystemDeps, r: ContainerRecord): Promise<Array<{ Path: string; Kind: ChangeKind }>> {
  const image = await deps.images.get(r.image);
  const lowers = chainIDs(image.config.rootfs.diff_ids).reverse().map((c) => deps.snapshots.path(c));
  const upper = deps.snapshots.path(r.id);
  const opaque = await findOpaqueDirs(deps.host, upper);
  const out: Array<{ Path: string; Kind: ChangeKind }> = [];
  const walk = async (dir: string, rel: string, hidden: boolean): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const p = path.join(dir, name);
      const relPath = `${rel}/${name}`;
      const st = await lstat(p);
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ Path: relPath, Kind: ChangeKind.Deleted });
        continue;
      }
      const inImage = !hidden && await existsIn(lowers, relPath);
      out.push({ Path: relPath, Kind: inImage ? ChangeKind.Modified : ChangeKind.Added });
      if (st.isDirectory()) await walk(p, relPath, hidden || opaque.has(p));
    }
  };
  await walk(upper, '', false);
  // runc's mount points for /etc/hosts and friends are not the container's doing (Docker keeps them in its init layer).
  const stubs = out.filter((c) => MOUNT_STUBS.includes(c.Path) && c.Kind === ChangeKind.Added).map((c) => c.Path);
  const kept = out.filter((c) => !stubs.includes(c.Path));
  const etcOnlyStubs = !kept.some((c) => c.Path.startsWith('/etc/'));
  return kept.filter((c) => !(c.Path === '/etc' && c.Kind !== ChangeKind.Deleted && stubs.length && etcOnlyStubs));
}

/** The container's whole root filesystem as a tar stream, mounted for the occasion when it is not running. */
export function exportContainer(deps: FilesystemDeps, r: ContainerRecord): Readable {
  const out = new PassThrough();
  (async () => {
    if (r.state.Running) {
      await pipeline(packDir(r.rootfsPath), out);
      return;
    }
    await mkdir(deps.tmpDir, { recursive: true, mode: 0o700 });
    const target = path.join(deps.tmpDir, `export-${randomBytes(6).toString('hex')}`);
    await mkdir(target, { mode: 0o700 });
    try {
      await deps.host.mount(await deps.snapshots.mounts(r.id), target);
      try {
        await pipeline(packDir(target), out);
      } finally {
        await deps.host.unmount(target);
      }
    } finally {
      await rmdir(target).catch(() => undefined);
    }
  })().catch((err: Error) => out.destroy(err));
  return out;
}
