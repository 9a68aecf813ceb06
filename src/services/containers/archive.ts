// The archive API behind `docker cp`: stat, read (tar out) and extract (tar in) paths of a container, safely; and berth cp's same-machine fast path for one file.
import { lstat, readFile, statfs } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { extractTar } from '../../archive/extract';
import type { HeldFiles } from '../../archive/held-files';
import { identityOf, openRegular, openVerified, placeCopy, type FastSource } from '../../archive/fd-handoff';
import { packDir } from '../../archive/pack';
import { rebaseTar } from '../../archive/rebase';
import { BerthError, hasCode, InvalidParameterError, NotFoundError, SystemError } from '../../errors';
import { ContainerFs, cleanPath, dockerBase, goModeIsRegular, mappedMounts, mountHolding, type PathStat } from './archive-fs';
import { checkEntryName, type OpenedFile } from './archive-fastcopy';
import { copyFreezer, type ContainerFreezer } from './archive-freezer';
import type { ContainerContext } from './context';
import type { ContainerRecord } from './record';
import { resolveUser } from './user';

export type { PathStat } from './archive-fs';
export type { OpenedFile } from './archive-fastcopy';

export interface PutArchiveOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (409). */
  noOverwriteDirNonDir: boolean;
  /** Give the files the container's User (when it has one) instead of the tar's owners. */
  copyUIDGID: boolean;
  signal?: AbortSignal;
  /** Where big files replaced are held open, for the caller to release after answering (a running container's only). */
  held?: HeldFiles;
}

/**
 * Files in and out of a container, for running, stopped and created ones.
 * Paths are the container's, resolved inside it (links, `..`, mounts); a
 * missing one is NotFound "Could not find the file <path> in container <c>".
 * While its files are read or written, a running container is frozen, and so
 * is every running container sharing one of its mount sources (no process
 * can swap a link under the copy, CVE-2018-15664); a stopped one has its root
 * filesystem mounted for the copy only. Host processes are trusted. Each call
 * holds the container's lock until it is done (for `get`, until the tar is
 * consumed).
 */
export interface ArchiveService {
  stat(idOrName: string, path: string): Promise<PathStat>;
  /**
   * The tar of `path`, entries named as Docker names them; the stream must be
   * consumed or destroyed. `released` settles once the container is thawed or
   * unmounted again after the stream closed.
   */
  get(idOrName: string, path: string): Promise<{ stat: PathStat; tar: Readable; released: Promise<void> }>;
  /** Extract `tar` into the directory `path`; streamed, never buffered. */
  put(idOrName: string, path: string, tar: Readable, opts: PutArchiveOptions): Promise<void>;
  /**
   * berth's same-machine fast path, for a regular file only (else undefined):
   * `path` opened for the caller to copy through /proc/<berthd>/fd/<n>; the
   * container is held as by `get` until `close()`.
   */
  openFile(idOrName: string, path: string): Promise<OpenedFile | undefined>;
  /**
   * berth's same-machine fast path: the caller's open regular file copied to
   * `name` in directory `path`, with what `put` of its one-entry tar would
   * give; false (nothing done) when the source is not the file described.
   */
  copyFileIn(idOrName: string, path: string, name: string, src: FastSource, opts: PutArchiveOptions): Promise<boolean>;
}

/** proc, sysfs, devpts, mqueue, cgroup v1 and v2: the kernel's views, which a copy shows as empty mount points, as Docker does. */
const KERNEL_FS = new Set([0x9fa0, 0x62656572, 0x1cd1, 0x19800202, 0x27e0eb, 0x63677270]);

/**
 * Replaced files are held past the copy only in a running container, seen
 * through /proc/<pid>/root: a stopped one's root is unmounted when the copy
 * ends, which an open file would keep busy.
 */
function heldFor(r: ContainerRecord, opts: PutArchiveOptions): HeldFiles | undefined {
  return r.state.Running ? opts.held : undefined;
}

async function notKernelFs(dir: string): Promise<boolean> {
  return !KERNEL_FS.has((await statfs(dir)).type);
}

/** An open view of a container's files and how to give it back. */
interface FsSession {
  fs: ContainerFs;
  close(): Promise<void>;
}

export class LocalArchiveService implements ArchiveService {
  constructor(private readonly ctx: ContainerContext, private readonly freezer: ContainerFreezer = copyFreezer(ctx)) {}

  stat(idOrName: string, p: string): Promise<PathStat> {
    const r = this.ctx.get(idOrName);
    return this.ctx.withLock(r.id, () => this.withFs(r, idOrName, p, async (fs) => (await fs.stat(p)).stat));
  }

  get(idOrName: string, p: string): Promise<{ stat: PathStat; tar: Readable; released: Promise<void> }> {
    const r = this.ctx.get(idOrName);
    return new Promise((resolve, reject) => {
      // The lock (and the freeze or mount) lasts until the tar stream closes.
      const released: Promise<void> = this.ctx.withLock(r.id, () => this.withFs(r, idOrName, p, async (fs) => {
        const { stat, parts } = await fs.stat(p);
        const host = fs.hostPath(parts);
        // A directory's entries are named after the path asked for ("/a/b/" → "b/…", "/a/." → "./…").
        const name = dockerBase(p);
        // The root is archived as Docker does it: "/", "/bin", … (clients rebase from "/").
        const opts = r.state.Running ? { descend: notKernelFs } : {};
        const tar = name === '/' ? rebaseTar(packDir(host, { ...opts, prefix: '.' }), '.', '') : packDir(host, { ...opts, prefix: name });
        const closed = new Promise<void>((done) => tar.once('close', done));
        this.ctx.emit(r, 'archive-path');
        resolve({ stat, tar, released });
        await closed;
      }));
      released.catch(reject);
    });
  }

  put(idOrName: string, p: string, tar: Readable, opts: PutArchiveOptions): Promise<void> {
    const r = this.ctx.get(idOrName);
    return this.ctx.withLock(r.id, () => this.withFs(r, idOrName, p, async (fs) => {
      const { host, owner } = await this.extractionPoint(r, fs, p, opts.copyUIDGID);
      await extractTar(tar, host, {
        destResolved: true, preserveOwners: true, owner, noOverwriteDirNonDir: opts.noOverwriteDirNonDir, signal: opts.signal, held: heldFor(r, opts),
      }).catch((err) => {
        // What the tar parser refuses (not a tar, truncated, a bad header) is the caller's fault.
        if (err instanceof BerthError || (err as NodeJS.ErrnoException).code || opts.signal?.aborted) throw err;
        throw new InvalidParameterError(`invalid tar archive: ${(err as Error).message}`, { cause: err });
      });
      this.ctx.emit(r, 'extract-to-dir');
    }));
  }

  openFile(idOrName: string, p: string): Promise<OpenedFile | undefined> {
    const r = this.ctx.get(idOrName);
    return new Promise((resolve, reject) => {
      const released = this.ctx.withLock(r.id, () => this.withFs(r, idOrName, p, async (fs) => {
        const { stat, parts } = await fs.stat(p);
        const file = goModeIsRegular(stat.mode) ? await openRegular(fs.hostPath(parts)) : undefined;
        if (!file) return resolve(undefined);
        let close!: () => void;
        const closed = new Promise<void>((done) => { close = done; });
        this.ctx.emit(r, 'archive-path');
        resolve({ stat, source: { path: `/proc/${process.pid}/fd/${file.fh.fd}`, ...identityOf(file.st) }, close });
        await closed;
        await file.fh.close();
      }));
      released.catch(reject);
    });
  }

  async copyFileIn(idOrName: string, p: string, name: string, src: FastSource, opts: PutArchiveOptions): Promise<boolean> {
    const r = this.ctx.get(idOrName);
    const file = await openVerified(src);
    if (!file) return false;
    try {
      await this.ctx.withLock(r.id, () => this.withFs(r, idOrName, p, async (fs) => {
        const { host, owner } = await this.extractionPoint(r, fs, p, opts.copyUIDGID);
        await placeCopy(file, host, checkEntryName(name), { noOverwriteDirNonDir: opts.noOverwriteDirNonDir, owner: owner ?? 'source', held: heldFor(r, opts) });
        this.ctx.emit(r, 'extract-to-dir');
      }));
    } finally {
      await file.fh.close();
    }
    return true;
  }

  /** The directory `p` to extract into, refused as Docker refuses it, and the owner `copyUIDGID` gives. */
  private async extractionPoint(r: ContainerRecord, fs: ContainerFs, p: string, copyUIDGID: boolean): Promise<{ host: string; owner?: { uid: number; gid: number } }> {
    // The last name is followed too: extracting "into" a link to a directory is allowed.
    const parts = await fs.resolve(cleanPath(p), true);
    const host = fs.hostPath(parts);
    const st = await lstat(host);
    if (!st.isDirectory()) throw new InvalidParameterError('extraction point is not a directory');
    const mount = mountHolding(r.mounts, parts);
    if (mount && !mount.RW) throw new InvalidParameterError('mounted volume is marked read-only');
    if (!mount && r.hostConfig.ReadonlyRootfs) throw new InvalidParameterError('container rootfs is marked read-only');
    const owner = copyUIDGID && r.config.User ? await this.containerUser(fs, r.config.User) : undefined;
    return { host, owner };
  }

  private async containerUser(fs: ContainerFs, user: string): Promise<{ uid: number; gid: number }> {
    const read = async (file: string) => readFile(fs.hostPath(await fs.resolve(cleanPath(file), true)), 'utf8').catch(() => undefined);
    const u = await resolveUser(user, read);
    return { uid: u.uid, gid: u.gid };
  }

  /** Open the container's files, run `fn`, close them again; file errors become Docker's answers. */
  private async withFs<T>(r: ContainerRecord, idOrName: string, p: string, fn: (fs: ContainerFs) => Promise<T>): Promise<T> {
    if (!p) throw new InvalidParameterError('path is required');
    const session = await this.open(r);
    try {
      return await fn(session.fs);
    } catch (err) {
      if (err instanceof BerthError) throw err;
      if (hasCode(err, 'ENOENT')) throw new NotFoundError(`Could not find the file ${p} in container ${idOrName}`);
      if (hasCode(err, 'ENOTDIR')) throw new InvalidParameterError(`not a directory: ${p}`);
      throw new SystemError(`${p} in container ${idOrName}: ${(err as Error).message}`, { cause: err });
    } finally {
      await session.close();
    }
  }

  private async open(r: ContainerRecord): Promise<FsSession> {
    const { host, snapshots } = this.ctx.deps;
    // Nothing that could swap a link under the copy keeps running meanwhile (CVE-2018-15664).
    const frozen = await this.freeze(r, this.writersOf(r));
    try {
      // /proc/<pid>/root shows a running container's own mounts (binds, volumes, tmpfs).
      if (r.state.Running) return { fs: new ContainerFs(`/proc/${r.state.Pid}/root`), close: () => this.thaw(frozen) };
      await host.mount(await snapshots.mounts(r.id), r.rootfsPath);
    } catch (err) {
      await this.thaw(frozen);
      throw err;
    }
    return {
      fs: new ContainerFs(r.rootfsPath, mappedMounts(r.mounts)),
      close: async () => {
        await host.unmount(r.rootfsPath);
        await this.thaw(frozen);
      },
    };
  }

  /** The running, unpaused containers that could change what a copy of `r` walks: `r` and those sharing a mount source with it. */
  private writersOf(r: ContainerRecord): ContainerRecord[] {
    const sources = (c: ContainerRecord) => c.mounts.filter((m) => m.Type !== 'tmpfs' && m.Source).map((m) => m.Source);
    const mine = sources(r);
    const overlap = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
    return [...this.ctx.records.values()].filter((c) => c.state.Running && !c.state.Paused &&
      (c.id === r.id || sources(c).some((s) => mine.some((m) => overlap(s, m)))));
  }

  /** Pause each of `list`; one that stopped meanwhile is skipped, any other failure thaws the rest and fails the copy. */
  private async freeze(r: ContainerRecord, list: ContainerRecord[]): Promise<string[]> {
    const { runtime } = this.ctx.deps;
    const frozen: string[] = [];
    for (const c of list) {
      try {
        await this.freezer.freeze(c.id);
        frozen.push(c.id);
      } catch (err) {
        const gone = c.id !== r.id && (await runtime.state(c.id).catch(() => undefined))?.status !== 'running';
        if (gone) continue;
        await this.thaw(frozen);
        throw err;
      }
    }
    return frozen;
  }

  private async thaw(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.freezer.thaw(id).catch((err) => this.ctx.deps.log('warn', `resuming ${id} after a copy: ${err.message}`));
    }
  }
}
