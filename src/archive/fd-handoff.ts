// Handing an open file from one process to another on the same machine: /proc/<pid>/fd/<n> plus who the file must be, checked by the side that opens it.
import { constants, type BigIntStats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { InvalidParameterError } from '../errors';
import { join } from 'node:path';
import type { HeldFiles } from './held-files';
import { clearTarget, copyInKernel, createFile, OPEN_REGULAR } from './place-file';

/**
 * Who a file is, as the side that opened it saw it. Numbers are decimal
 * strings (inode numbers and nanoseconds outgrow a double).
 */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
}

/** A file one process offers another: where to open it, and who it must be. */
export interface FastSource extends FileIdentity {
  /** /proc/<pid>/fd/<n> of the process holding it open. */
  path: string;
}

/** A file open for reading, and its stat at opening. */
export interface OpenFile {
  fh: FileHandle;
  st: BigIntStats;
}

export function identityOf(st: BigIntStats): FileIdentity {
  return { dev: String(st.dev), ino: String(st.ino), size: String(st.size), mtimeNs: String(st.mtimeNs) };
}

function sameFile(st: BigIntStats, want: FileIdentity): boolean {
  const got = identityOf(st);
  return got.dev === want.dev && got.ino === want.ino && got.size === want.size && got.mtimeNs === want.mtimeNs;
}

const FD_PATH = /^\/proc\/[1-9]\d*\/fd\/\d+$/;

/** An untrusted FastSource from a request body, checked for shape only. */
export function parseFastSource(body: unknown): FastSource {
  const b = (body ?? {}) as Record<string, unknown>;
  const digits = (k: string) => {
    const v = b[k];
    if (typeof v !== 'string' || !/^\d{1,30}$/.test(v)) throw new InvalidParameterError(`fast copy: ${k} must be a decimal string`);
    return v;
  };
  if (typeof b.path !== 'string' || !FD_PATH.test(b.path)) throw new InvalidParameterError('fast copy: path must be /proc/<pid>/fd/<n>');
  return { path: b.path, dev: digits('dev'), ino: digits('ino'), size: digits('size'), mtimeNs: digits('mtimeNs') };
}

/**
 * Open `src` and make sure it is still the regular file its owner described
 * (same device, inode, size and mtime), or answer undefined: another pid
 * namespace, a file changed or replaced meanwhile, not a regular file. Never
 * blocks on a FIFO; nothing else is opened if the path does not already name
 * a regular file.
 */
export async function openVerified(src: FastSource): Promise<OpenFile | undefined> {
  const before = await stat(src.path, { bigint: true }).catch(() => undefined);
  if (!before?.isFile() || !sameFile(before, src)) return undefined;
  // The fd link itself is the file: O_NOFOLLOW would refuse /proc's magic link.
  const fh = await open(src.path, OPEN_REGULAR & ~constants.O_NOFOLLOW).catch(() => undefined);
  if (!fh) return undefined;
  const st = await fh.stat({ bigint: true });
  if (st.isFile() && sameFile(st, src)) return { fh, st };
  await fh.close();
  return undefined;
}

/** The regular file at `p` (never followed), open for reading, or undefined when it is anything else. */
export async function openRegular(p: string): Promise<OpenFile | undefined> {
  const fh = await open(p, OPEN_REGULAR);
  const st = await fh.stat({ bigint: true });
  if (st.isFile()) return { fh, st };
  await fh.close();
  return undefined;
}

/** mtime as a tar header carries it (whole seconds): a fast copy gives what the tar path gives. */
export function tarMtime(st: BigIntStats): Date {
  return new Date(Number(st.mtimeNs / 1_000_000_000n) * 1000);
}

export interface PlaceOptions {
  noOverwriteDirNonDir: boolean;
  /** The owner to give: 'source' is the source file's own (as its tar header carries it); none leaves the copier's. */
  owner?: { uid: number; gid: number } | 'source';
  /** Where the file replaced is held, to be freed after the answer. */
  held?: HeldFiles;
}

/** Copy the open `src` to `dir/name` as extracting its one-entry tar would: same replacement rules, owner, mode and mtime. */
export async function placeCopy(src: OpenFile, dir: string, name: string, opts: PlaceOptions): Promise<void> {
  const target = join(dir, name);
  await clearTarget(target, false, opts.noOverwriteDirNonDir, `/${name}`, name, opts.held);
  const owner = opts.owner === 'source' ? { uid: Number(src.st.uid), gid: Number(src.st.gid) } : opts.owner;
  await createFile(target, { mode: Number(src.st.mode) & 0o7777, owner, mtime: tarMtime(src.st) }, (fh) => copyInKernel(src.fh, fh));
}
