// COPY and ADD into a mounted root: Docker's destination rules, ownership and modes, archives unpacked for ADD, and the content digest the cache keys on.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, lchown, lstat, lutimes, mkdir, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { extractTar } from '../archive/extract';
import { isArchiveFile } from '../archive/is-archive';
import { cleanComponents, resolveInRoot } from '../archive/securejoin';
import { InvalidParameterError } from '../errors';

export interface CopySource {
  /** Where the file is on the host (resolved inside the context or a mounted stage). */
  hostPath: string;
  /** The name it is copied under when the destination is a directory. */
  name: string;
  /** Downloaded by ADD: copied as it is, never unpacked. */
  remote?: boolean;
}

export interface CopyOptions {
  uid: number;
  gid: number;
  /** --chmod: applied to every file and directory copied. */
  mode?: number;
  /** The destination names a directory (ends with /, or several sources). */
  destIsDir: boolean;
  /** ADD: local tar archives (plain, gzip, bzip2, xz or zstd) are unpacked into the destination. */
  extractArchives: boolean;
}

/** A digest of what the sources hold (names, types, modes, sizes, link targets, contents), for the cache key. */
export async function digestSources(sources: CopySource[]): Promise<string> {
  const h = createHash('sha256');
  const walk = async (p: string, rel: string): Promise<void> => {
    const st = await lstat(p);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isSymbolicLink()) h.update(`l${await readlink(p)}\0`);
    else if (st.isFile()) {
      h.update(`f${st.size}\0`);
      for await (const c of createReadStream(p)) h.update(c as Buffer);
    } else if (st.isDirectory()) {
      for (const n of (await readdir(p)).sort()) await walk(path.join(p, n), `${rel}/${n}`);
    }
  };
  for (const s of sources) {
    // A download is never unpacked and a local archive is: the same bytes make different layers.
    if (s.remote) h.update('remote\0');
    await walk(s.hostPath, s.name);
  }
  return h.digest('hex');
}

async function setMeta(target: string, uid: number, gid: number, mode: number, mtime: Date, isLink: boolean): Promise<void> {
  await lchown(target, uid, gid);
  if (!isLink) {
    await chmod(target, mode);
    await lutimes(target, mtime, mtime);
  }
}

async function copyEntry(src: string, target: string, opts: CopyOptions): Promise<void> {
  const st = await lstat(src);
  const existing = await lstat(target).catch(() => undefined);
  if (st.isDirectory()) {
    if (existing && !existing.isDirectory()) await rm(target, { recursive: true, force: true });
    if (!existing?.isDirectory()) await mkdir(target);
    for (const n of await readdir(src)) await copyEntry(path.join(src, n), path.join(target, n), opts);
    await setMeta(target, opts.uid, opts.gid, opts.mode ?? st.mode & 0o7777, st.mtime, false);
    return;
  }
  if (existing) await rm(target, { recursive: true, force: true });
  if (st.isSymbolicLink()) {
    await symlink(await readlink(src), target);
    await lchown(target, opts.uid, opts.gid);
    return;
  }
  // Sockets, fifos and devices in a context have no meaning in an image.
  if (!st.isFile()) return;
  await copyFile(src, target);
  await setMeta(target, opts.uid, opts.gid, opts.mode ?? st.mode & 0o7777, st.mtime, false);
}

/** The directory `dest` names inside `root`, created (root-owned, 0755) with its parents when missing. */
async function destDir(root: string, dest: string): Promise<string> {
  const dir = await resolveInRoot(root, cleanComponents(dest), { mkdirs: true });
  const st = await lstat(dir).catch(() => undefined);
  if (!st) await mkdir(dir, { recursive: true, mode: 0o755 });
  else if (!st.isDirectory()) throw new InvalidParameterError(`cannot copy to ${dest}: it is not a directory`);
  return dir;
}

/**
 * Copy `sources` to `dest` (absolute, inside `root`) by Docker's rules: a
 * directory's contents go into the destination; a file goes into it when it
 * ends with "/" or already is a directory, else becomes it. Every path in
 * `root` is resolved as if `root` were "/".
 */
export async function copyInto(root: string, sources: CopySource[], dest: string, opts: CopyOptions): Promise<void> {
  for (const s of sources) {
    const st = await lstat(s.hostPath);
    if (st.isDirectory()) {
      const dir = await destDir(root, dest);
      for (const n of await readdir(s.hostPath)) await copyEntry(path.join(s.hostPath, n), path.join(dir, n), opts);
      continue;
    }
    if (opts.extractArchives && !s.remote && st.isFile() && await isArchiveFile(s.hostPath)) {
      await extractTar(createReadStream(s.hostPath), await destDir(root, dest), { whiteouts: 'none' });
      continue;
    }
    const parts = cleanComponents(dest);
    const whole = await resolveInRoot(root, parts);
    const wholeSt = await lstat(whole).catch(() => undefined);
    if (opts.destIsDir || wholeSt?.isDirectory() || parts.length === 0) {
      await copyEntry(s.hostPath, path.join(await destDir(root, dest), s.name), opts);
    } else {
      const parent = await destDir(root, `/${parts.slice(0, -1).join('/')}`);
      await copyEntry(s.hostPath, path.join(parent, parts[parts.length - 1]!), opts);
    }
  }
}

/** `--chown=user[:group]` with names looked up in the image's /etc/passwd and /etc/group. */
export async function resolveChown(root: string, spec: string): Promise<{ uid: number; gid: number }> {
  const [user, group] = spec.split(':', 2) as [string, string | undefined];
  const lookup = async (file: string, name: string): Promise<number> => {
    if (/^\d+$/.test(name)) return Number(name);
    const text = await readFile(await resolveInRoot(root, cleanComponents(file)), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[2] !== undefined) return Number(f[2]);
    }
    throw new InvalidParameterError(`unable to convert uid/gid chown string to host mapping: can't find ${file === '/etc/passwd' ? 'uid' : 'gid'} for ${file === '/etc/passwd' ? 'user' : 'group'} ${name}`);
  };
  // A user without a group takes the same number as its group, as Docker does.
  const uid = await lookup('/etc/passwd', user);
  return { uid, gid: group !== undefined ? await lookup('/etc/group', group) : uid };
}
