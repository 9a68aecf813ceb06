// Path resolution inside a root as if the root were `/` (chroot semantics): no name or symlink can lead outside it.
import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode, InvalidParameterError } from '../errors';

const MAX_SYMLINKS = 40;

/**
 * The components of a tar entry name (or any untrusted relative path),
 * cleaned as a rooted path: empty and `.` parts dropped, a leading `/`
 * ignored, `..` never climbing above the root. `[]` means the root itself.
 */
export function cleanComponents(name: string): string[] {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

export interface ResolveOptions {
  /** Create missing directories (mode 0755) while walking. */
  mkdirs?: boolean;
  /** Follow the last component too when it is a link (default true). */
  followLast?: boolean;
  /** The host path of resolved components; default `join(root, ...parts)` (a view with mounts maps some elsewhere). */
  hostPath?: (parts: string[]) => string;
}

/**
 * Resolve `components` inside `root`, following every symlink met on the way
 * as if `root` were `/` (an absolute target restarts at `root`, `..` stops at
 * `root`), like Go's securejoin. All components are resolved, including the
 * last unless `followLast` is false.
 * Missing components are appended as they are (or created with `mkdirs`).
 * Throws InvalidParameter on a symlink loop or a non-directory in the middle.
 */
export async function resolveInRoot(root: string, components: string[], opts: ResolveOptions = {}): Promise<string> {
  const hostPath = opts.hostPath ?? ((parts: string[]) => join(root, ...parts));
  return hostPath(await resolveComponents(components, { ...opts, hostPath }));
}

/** resolveInRoot's walk, answering the resolved components rather than a host path. */
export async function resolveComponents(components: string[], opts: ResolveOptions & { hostPath: (parts: string[]) => string }): Promise<string[]> {
  const pending = [...components].reverse();
  const resolved: string[] = [];
  let links = 0;
  let missing = false;
  while (pending.length) {
    const part = pending.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const isLast = !pending.some((c) => c !== '' && c !== '.');
    const p = opts.hostPath([...resolved, part]);
    if (missing || (isLast && opts.followLast === false)) {
      // Below a missing directory nothing exists yet, so there is nothing to follow.
      if (missing && opts.mkdirs) await mkdir(p, { mode: 0o755 });
      resolved.push(part);
      continue;
    }
    let st;
    try {
      st = await lstat(p);
    } catch (err) {
      if (!hasCode(err, 'ENOENT')) throw err;
      if (opts.mkdirs) await mkdir(p, { mode: 0o755 });
      else missing = true;
      resolved.push(part);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw new InvalidParameterError(`too many levels of symbolic links resolving ${components.join('/')}`);
      const target = await readlink(p);
      if (target.startsWith('/')) resolved.length = 0;
      pending.push(...target.split('/').reverse());
      continue;
    }
    if (!st.isDirectory() && !isLast) {
      throw new InvalidParameterError(`not a directory: /${[...resolved, part].join('/')}`);
    }
    resolved.push(part);
  }
  return resolved;
}
