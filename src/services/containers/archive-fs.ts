// A container's filesystem as `docker cp` sees it: a root plus the mounts laid over it, every path resolved inside it.
import { lstat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import path from 'node:path';
import { resolveComponents } from '../../archive/securejoin';
import type { MountPoint } from './record';

/** A mount the kernel does not lay over `root` for us (a stopped container's binds and volumes). */
export interface MappedMount {
  /** Clean components of the mount point inside the container. */
  destination: string[];
  /** Host directory (or file) mounted there. */
  source: string;
}

/** Docker's ContainerPathStat, as sent base64 JSON in X-Docker-Container-Path-Stat. */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits. */
  mode: number;
  /** RFC 3339 with nanoseconds, as Go marshals a time. */
  mtime: string;
  linkTarget: string;
}

/**
 * The view: `root` is the host path of the container's `/` (its mounted root
 * filesystem, or /proc/<pid>/root of a running container, where the kernel
 * already shows every mount), and `mounts` the mounts to map by hand. Paths
 * are resolved component by component with lstat, as if `root` were `/`: an
 * absolute link restarts at the container's root, `..` stops there, so no
 * name leads to the host. Callers keep the container from changing the tree
 * while they use a resolved path (frozen, or not running).
 */
export class ContainerFs {
  constructor(readonly root: string, private readonly mounts: MappedMount[] = []) {}

  /** Host path of clean container components, through the deepest mapped mount that holds them. */
  hostPath(parts: string[]): string {
    let best: MappedMount | undefined;
    for (const m of this.mounts) {
      if (m.destination.length > parts.length || (best && best.destination.length >= m.destination.length)) continue;
      if (m.destination.every((c, i) => parts[i] === c)) best = m;
    }
    if (best) return path.join(best.source, ...parts.slice(best.destination.length));
    // The root itself keeps its trailing slash: /proc/<pid>/root must be followed, not lstat'ed as a link.
    return parts.length ? path.join(this.root, ...parts) : `${this.root.replace(/\/+$/, '')}/`;
  }

  /**
   * Resolve clean components, following links met on the way (and the last
   * one too when `followLast`). Missing components are kept as they are.
   * Returns the container components of the result.
   */
  async resolve(parts: string[], followLast: boolean): Promise<string[]> {
    return resolveComponents(parts, { followLast, hostPath: (p) => this.hostPath(p) });
  }

  /**
   * Docker's stat of a path given to the archive API: the last component is
   * not followed unless the path ends in `/` or `/.`; a link reports its fully
   * resolved target. Rejects with ENOENT when the path does not exist.
   */
  async stat(rawPath: string): Promise<{ stat: PathStat; parts: string[] }> {
    const followLast = endsWithDirMark(rawPath);
    const clean = cleanPath(rawPath);
    const parts = await this.resolve(clean, followLast);
    const host = this.hostPath(parts);
    const st = await lstat(host, { bigint: true });
    if (followLast && !st.isDirectory()) throw Object.assign(new Error(`not a directory: ${rawPath}`), { code: 'ENOTDIR' });
    let linkTarget = '';
    if (st.isSymbolicLink()) linkTarget = '/' + (await this.resolve(clean, true)).join('/');
    return { stat: { name: dockerBase(rawPath), size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: goTime(st), linkTarget }, parts };
  }
}

/** Components of a container path, cleaned lexically as Go's filepath.Join("/", p) does. */
export function cleanPath(p: string): string[] {
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/** A trailing `/` or `/.` asks for the directory a name points to (Docker's PreserveTrailingDotOrSeparator). */
export function endsWithDirMark(p: string): boolean {
  return p.endsWith('/') || p.endsWith('/.') || p === '.';
}

/** Go's filepath.Base of the absolute form: "/a/b/" → "b", "/a/." → ".", "/" → "/". */
export function dockerBase(p: string): string {
  if (p.endsWith('/.') || p === '.') return '.';
  const parts = cleanPath(p);
  return parts.length ? parts[parts.length - 1] : '/';
}

/** The mounts of a record, as the deepest-first list a stopped container's copy maps by hand (tmpfs has nothing to show). */
export function mappedMounts(mounts: MountPoint[]): MappedMount[] {
  return mounts.filter((m) => m.Type !== 'tmpfs' && m.Source).map((m) => ({ destination: cleanPath(m.Destination), source: m.Source }));
}

/** The record's mount holding container path `parts` (deepest wins), if any. */
export function mountHolding(mounts: MountPoint[], parts: string[]): MountPoint | undefined {
  let best: MountPoint | undefined;
  let bestLen = -1;
  for (const m of mounts) {
    const dest = cleanPath(m.Destination);
    if (dest.length > parts.length || dest.length <= bestLen) continue;
    if (dest.every((c, i) => parts[i] === c)) {
      best = m;
      bestLen = dest.length;
    }
  }
  return best;
}

const GO_MODE = {
  dir: 2 ** 31, symlink: 2 ** 27, device: 2 ** 26, namedPipe: 2 ** 25, socket: 2 ** 24,
  setuid: 2 ** 23, setgid: 2 ** 22, charDevice: 2 ** 21, sticky: 2 ** 20,
};

/** A Unix st_mode as Go's os.FileMode (type bits high, setuid/setgid/sticky moved). */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  switch (mode & constants.S_IFMT) {
    case constants.S_IFDIR: m += GO_MODE.dir; break;
    case constants.S_IFLNK: m += GO_MODE.symlink; break;
    case constants.S_IFBLK: m += GO_MODE.device; break;
    case constants.S_IFCHR: m += GO_MODE.device + GO_MODE.charDevice; break;
    case constants.S_IFIFO: m += GO_MODE.namedPipe; break;
    case constants.S_IFSOCK: m += GO_MODE.socket; break;
    default: break;
  }
  if (mode & 0o4000) m += GO_MODE.setuid;
  if (mode & 0o2000) m += GO_MODE.setgid;
  if (mode & 0o1000) m += GO_MODE.sticky;
  return m;
}

/** Whether a Go FileMode is a directory. */
export function goModeIsDir(mode: number): boolean {
  return mode >= GO_MODE.dir;
}

/** Whether a Go FileMode is a regular file (no type bit set). */
export function goModeIsRegular(mode: number): boolean {
  const typeBits = [GO_MODE.dir, GO_MODE.symlink, GO_MODE.device, GO_MODE.namedPipe, GO_MODE.socket, GO_MODE.charDevice];
  return typeBits.every((bit) => Math.floor(mode / bit) % 2 === 0);
}

/** Whether a Go FileMode is a symlink. */
export function goModeIsSymlink(mode: number): boolean {
  return Math.floor(mode / GO_MODE.symlink) % 2 === 1;
}

/** mtime as Go marshals a UTC time: RFC 3339 with the nanoseconds, trailing zeros dropped. */
function goTime(st: BigIntStats): string {
  const ns = st.mtimeNs;
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}${frac ? '.' + frac : ''}Z`;
}
