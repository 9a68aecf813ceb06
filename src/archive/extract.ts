// Safe extraction of hostile tar streams (plain or gzip) into a directory: nothing is created, changed or followed outside it.
import { chmod, lchown, link, lstat, lutimes, mkdir, realpath, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { InvalidParameterError } from '../errors';
import type { HeldFiles } from './held-files';
import { clearTarget, createFile, lstatOrUndefined } from './place-file';
import { decompressed } from './decompress';
import { writeBody, type EntryBody } from './write-body';
import { rebaseName } from './rebase';
import { cleanComponents, resolveInRoot } from './securejoin';
import {
  defaultRunner, makeWhiteout, markOpaque, OPAQUE_MARKER, WHITEOUT_META_PREFIX, WHITEOUT_PREFIX, type CommandRunner,
} from './whiteouts';

/** Bytes of tar the parser may hold before the input is paused. */
const PARSER_BUFFER = 1 << 20;

export interface ExtractOptions {
  /**
   * What `.wh.` entries mean. `none` (default): ordinary files.
   * `overlay`: layer whiteouts, written in overlayfs's format (`.wh.x` → char
   * device 0/0 `x`; `.wh..wh..opq` → xattr trusted.overlay.opaque=y on the dir).
   * `ignore`: dropped (a base layer has nothing below it to delete).
   */
  whiteouts?: 'overlay' | 'none' | 'ignore';
  /** Apply the entries' uid/gid (default true; needs root). */
  preserveOwners?: boolean;
  signal?: AbortSignal;
  /** Runs mknod/setfattr; defaults to spawning them directly. */
  runner?: CommandRunner;
  /** Give every entry this owner instead of the tar's (docker cp -a into a container with a User). */
  owner?: { uid: number; gid: number };
  /** Rename entries (and hardlink targets) under `from` to be under `to`, as Docker's RebaseArchiveEntries does. */
  rename?: { from: string; to: string };
  /** Refuse (Conflict) to replace a directory with a non-directory or the reverse (Docker's NoOverwriteDirNonDir). */
  noOverwriteDirNonDir?: boolean;
  /**
   * `dest` is already the resolved directory and must be used as given: no
   * realpath (a path through /proc/<pid>/root would resolve to the host's view).
   */
  destResolved?: boolean;
  /** Where the big files replaced are held, to be freed after the answer. */
  held?: HeldFiles;
}

export interface ExtractResult {
  /** Bytes of the uncompressed tar stream consumed. */
  size: number;
  /** Entries seen (including skipped ones). */
  entries: number;
  /** Device/fifo entries that could not be created (mknod failed) and were skipped. */
  skippedDevices: number;
}

interface Ctx {
  dest: string;
  whiteouts: 'overlay' | 'none' | 'ignore';
  preserveOwners: boolean;
  runner: CommandRunner;
  dirTimes: { path: string; mtime: Date }[];
  skippedDevices: number;
  owner?: { uid: number; gid: number };
  noOverwriteDirNonDir: boolean;
  held?: HeldFiles;
}

/**
 * Extract the tar (or tar.gz) `source` into `dest` (created if missing).
 * Every entry name is cleaned as a rooted path and its parent resolved inside
 * `dest` with chroot semantics (symlinks in the tree are followed as if `dest`
 * were `/`); the final component is never followed: an existing entry is
 * replaced (a directory over a directory is kept and updated), and owners,
 * modes and times are applied without dereferencing. Hardlink targets are
 * resolved the same way and must exist inside `dest`. Rejects with
 * InvalidParameter on a malformed or impossible entry; what was extracted
 * before the failure stays.
 */
export async function extractTar(source: Readable, dest: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  if (!opts.destResolved) await mkdir(dest, { recursive: true });
  const ctx: Ctx = {
    dest: opts.destResolved ? dest : await realpath(dest),
    whiteouts: opts.whiteouts ?? 'none',
    preserveOwners: opts.preserveOwners ?? true,
    runner: opts.runner ?? defaultRunner,
    dirTimes: [],
    skippedDevices: 0,
    owner: opts.owner,
    noOverwriteDirNonDir: opts.noOverwriteDirNonDir ?? false,
    held: opts.held,
  };
  opts.signal?.throwIfAborted();
  const input = await decompressed(source);
  let size = 0;
  let entries = 0;
  // Room for a few body chunks (the docker CLI sends 32 KiB ones): with streamx's 16 KiB default every write paused the request.
  const ex = extract({ highWaterMark: PARSER_BUFFER });
  const piping = pipeline(input, ex, opts.signal ? { signal: opts.signal } : {});
  // Counted beside the pipe (which pauses and resumes `input` for both), not by a stage in between.
  input.on('data', (c: Buffer) => { size += c.length; });
  // Awaited below; a truncated tar rejects it while entries are still being read, which must not count as unhandled.
  piping.catch(() => undefined);
  let failure: unknown;
  // If the input fails (or is aborted) mid-entry, the entry being written must fail too, or its body never ends.
  let current: { destroy(err?: Error): void } | undefined;
  piping.catch((err: Error) => current?.destroy(err));
  try {
    for await (const entry of ex) {
      current = entry;
      opts.signal?.throwIfAborted();
      entries++;
      const h = opts.rename ? renamed(entry.header, opts.rename) : entry.header;
      // streamx's typings do not name its chunks Buffers.
      await extractEntry(h, entry as unknown as EntryBody, ctx);
      entry.resume();
    }
  } catch (err) {
    failure = err;
    ex.destroy(err as Error);
  }
  try {
    await piping;
  } catch (err) {
    // The pipeline's error says what was wrong with the tar when the iterator only saw the stream destroyed.
    if (failure === undefined || /destroyed|premature/i.test((failure as Error).message)) failure = err;
  }
  if (failure instanceof Error && /^Unexpected end of data$/.test(failure.message)) {
    throw new InvalidParameterError(`invalid tar stream: ${failure.message}`, { cause: failure });
  }
  if (failure) throw failure;
  // Directory times last, deepest first, since creating children changes them.
  for (const d of ctx.dirTimes.reverse()) await lutimes(d.path, d.mtime, d.mtime).catch(() => undefined);
  return { size, entries, skippedDevices: ctx.skippedDevices };
}

function renamed(h: Header, r: { from: string; to: string }): Header {
  const out = { ...h, name: rebaseName(h.name, r.from, r.to) };
  if (h.type === 'link' && h.linkname) out.linkname = rebaseName(h.linkname, r.from, r.to);
  return out;
}

async function extractEntry(h: Header, body: EntryBody, ctx: Ctx): Promise<void> {
  const parts = cleanComponents(h.name);
  // The root itself is the caller's: its mode and owner are never taken from a tar.
  if (parts.length === 0) return;
  const base = parts[parts.length - 1]!;
  const parent = await resolveInRoot(ctx.dest, parts.slice(0, -1), { mkdirs: true });
  const parentSt = await lstat(parent);
  if (!parentSt.isDirectory()) throw new InvalidParameterError(`tar entry ${h.name}: parent is not a directory`);

  if (ctx.whiteouts !== 'none' && base.startsWith(WHITEOUT_PREFIX)) {
    if (ctx.whiteouts === 'ignore') return;
    if (base === OPAQUE_MARKER) return markOpaque(ctx.runner, parent);
    if (base.startsWith(WHITEOUT_META_PREFIX)) return;
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') return;
    const target = join(parent, hidden);
    await rm(target, { recursive: true, force: true });
    return makeWhiteout(ctx.runner, target);
  }

  const target = join(parent, base);
  const type = h.type ?? 'file';
  const keepDir = await clearTarget(target, type === 'directory', ctx.noOverwriteDirNonDir, `/${parts.join('/')}`, h.name, ctx.held);

  const mode = (h.mode ?? (type === 'directory' ? 0o755 : 0o644)) & 0o7777;
  const uid = ctx.owner?.uid ?? h.uid ?? 0;
  const gid = ctx.owner?.gid ?? h.gid ?? 0;
  const mtime = h.mtime ?? new Date();

  switch (type) {
    case 'file':
    case 'contiguous-file':
      return writeFile(target, body, mode, uid, gid, mtime, ctx);
    case 'directory':
      if (!keepDir) await mkdir(target, { mode: 0o700 });
      await applyMeta(target, mode, uid, gid, ctx);
      ctx.dirTimes.push({ path: target, mtime });
      return;
    case 'symlink':
      await symlink(h.linkname ?? '', target);
      if (ctx.preserveOwners) await lchown(target, uid, gid);
      await lutimes(target, mtime, mtime);
      return;
    case 'link':
      return hardlink(h, target, ctx);
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      const args = type === 'fifo'
        ? ['--', target, 'p']
        : ['--', target, type === 'character-device' ? 'c' : 'b', String(h.devmajor ?? 0), String(h.devminor ?? 0)];
      const r = await ctx.runner.run('mknod', args, { allowFailure: true });
      // Devices cannot be made everywhere (user namespaces, nodev); the layer is still usable without them.
      if (r.code !== 0) {
        ctx.skippedDevices++;
        return;
      }
      await applyMeta(target, mode, uid, gid, ctx);
      await lutimes(target, mtime, mtime);
      return;
    }
    default:
      // Unknown or meta entries (GNU volume headers, sparse files' extras): skipped, as Docker does.
      return;
  }
}

/** chown before chmod: chown clears setuid/setgid bits. `target` is never a symlink here. */
async function applyMeta(target: string, mode: number, uid: number, gid: number, ctx: Ctx): Promise<void> {
  if (ctx.preserveOwners) await lchown(target, uid, gid);
  await chmod(target, mode);
}

function writeFile(target: string, body: EntryBody, mode: number, uid: number, gid: number, mtime: Date, ctx: Ctx): Promise<void> {
  return createFile(target, { mode, mtime, owner: ctx.preserveOwners ? { uid, gid } : undefined }, (fh) => writeBody(fh, body));
}

async function hardlink(h: Header, target: string, ctx: Ctx): Promise<void> {
  const parts = cleanComponents(h.linkname ?? '');
  if (parts.length === 0) throw new InvalidParameterError(`tar entry ${h.name}: invalid hardlink target ${JSON.stringify(h.linkname)}`);
  const linkParent = await resolveInRoot(ctx.dest, parts.slice(0, -1));
  const source = join(linkParent, parts[parts.length - 1]!);
  const st = await lstatOrUndefined(source);
  if (!st || st.isDirectory()) {
    throw new InvalidParameterError(`tar entry ${h.name}: hardlink target ${JSON.stringify(h.linkname)} does not exist in the archive`);
  }
  // link(2) never follows a symlink source, so a link to a symlink links the symlink itself.
  await link(source, target);
}
