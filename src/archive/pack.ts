// Packing a directory (or one file) into a tar stream, optionally turning overlayfs whiteouts into `.wh.` entries.
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pack, type Pack } from 'tar-stream';
import type { TarHeader } from './tar-header';
import { defaultRunner, findOpaqueDirs, OPAQUE_MARKER, WHITEOUT_PREFIX, type CommandRunner } from './whiteouts';

export interface PackOptions {
  /**
   * `overlay`: `dir` is an overlayfs upper directory; a char device 0/0
   * becomes a `.wh.<name>` entry and an opaque directory (xattr
   * trusted.overlay.opaque=y) gets a `.wh..wh..opq` entry. `none` (default):
   * everything is packed as it is.
   */
  whiteouts?: 'overlay' | 'none';
  /** Pack files sharing an inode as hardlinks to the first one met (default true). */
  hardlinks?: boolean;
  /**
   * Name entries `<prefix>/<path>` and include the root itself as `<prefix>/`
   * (what `docker cp` produces). Without it, entries are relative to `dir` and
   * the root is not included (what a layer holds).
   */
  prefix?: string;
  /** Runs getfattr for `overlay`; defaults to spawning it directly. */
  runner?: CommandRunner;
  /**
   * Which entries to pack, by path relative to `dir` ("a/b"). A directory left
   * out is still walked when `descend` says so (a .dockerignore exception below it).
   */
  filter?: { include(rel: string): boolean; descend(rel: string): boolean };
  /** Extra files appended after the walk: host `path` packed as entry `name`. */
  extraFiles?: Array<{ name: string; path: string }>;
  signal?: AbortSignal;
  /** Whether to pack what is inside directory `path` (its own entry is always packed); default yes. */
  descend?: (path: string) => Promise<boolean>;
}

/**
 * A tar stream of `dir`: entries in sorted order (so equal trees give equal
 * bytes), modes including setuid bits, owners, mtimes, symlinks as links
 * (never followed), devices and fifos; sockets are skipped. If `dir` is not a
 * directory, the stream holds that one entry, named `prefix` or its basename.
 * File contents are streamed with backpressure; errors (and `signal`)
 * destroy the returned stream.
 */
export function packDir(dir: string, opts: PackOptions = {}): Readable {
  const p = pack();
  // Through a generator, so destroying `out` ends the pack's iterator with return(), not a second error.
  const out = Readable.from((async function* () {
    for await (const c of p as AsyncIterable<Buffer>) yield c;
  })(), { objectMode: false });
  const walker: Walker = new Walker(new PackOut(p, (): boolean => walker.stopped), opts);
  const onAbort = () => out.destroy(opts.signal?.reason as Error);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  out.once('close', () => {
    walker.stopped = true;
    opts.signal?.removeEventListener('abort', onAbort);
  });
  // entry()/finalize() throw once the consumer has destroyed the stream; that ends the walk quietly.
  walker.run(dir).then(() => p.finalize()).catch((err: Error) => p.destroy(err));
  return out;
}

const READ_CHUNK = 1024 * 1024;

/** Where a walk's entries go, in order: a tar-stream pack (packDir) or a running hash (digestDir). */
export interface EntryOut {
  /** An entry without a body (a file entry here is empty). */
  add(header: TarHeader): Promise<void>;
  /** A regular file's entry and exactly `header.size` bytes of `path` (a file that shrank fails). */
  addFile(header: TarHeader, path: string): Promise<void>;
}

/** The part of tar-stream's (streamx) entry sink used here. */
interface EntrySink {
  write(chunk: Buffer): boolean;
  end(): void;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', fn: () => void): void;
  off(event: 'drain' | 'close', fn: () => void): void;
}

function devMajor(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}
function devMinor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
}

/** Resolves when `sink` drains or closes, leaving no listener behind (one wait per chunk adds up). */
export function drained(sink: Pick<EntrySink, 'once' | 'off'>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.once('drain', done);
    sink.once('close', done);
  });
}

/** The walk behind packDir and digestDir: sorted entries, whiteouts, hardlinks, as PackOptions says. */
export class Walker {
  stopped = false;
  private opaque = new Set<string>();
  private readonly seen = new Map<string, string>();
  constructor(private readonly out: EntryOut, private readonly opts: PackOptions) {}

  async run(dir: string): Promise<void> {
    const rootSt = await lstat(dir);
    const prefix = (this.opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (!rootSt.isDirectory()) {
      await this.emit(prefix || basename(dir), dir, rootSt);
      return;
    }
    // Only a directory below the root can be marked opaque: a layer of files alone (a RUN writing one file) needs no getfattr.
    if (this.opts.whiteouts === 'overlay' && (await readdir(dir, { withFileTypes: true })).some((e) => e.isDirectory())) {
      this.opaque = await findOpaqueDirs(this.opts.runner ?? defaultRunner, dir);
    }
    if (prefix) await this.emit(prefix, dir, rootSt);
    if (!this.opts.descend || (await this.opts.descend(dir))) await this.walk(dir, prefix);
    for (const f of this.opts.extraFiles ?? []) await this.emit(f.name, f.path, await lstat(f.path));
  }

  private async walk(dir: string, rel: string): Promise<void> {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (this.stopped) return;
      const path = join(dir, name);
      const entryName = rel ? `${rel}/${name}` : name;
      const st = await lstat(path);
      const filter = this.opts.filter;
      if (filter && !filter.include(entryName)) {
        if (st.isDirectory() && filter.descend(entryName)) await this.walk(path, entryName);
        continue;
      }
      if (this.opts.whiteouts === 'overlay' && st.isCharacterDevice() && st.rdev === 0) {
        await this.out.add({ name: rel ? `${rel}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`, type: 'file', size: 0, mode: 0, uid: st.uid, gid: st.gid, mtime: st.mtime });
        continue;
      }
      await this.emit(entryName, path, st);
      if (st.isDirectory()) {
        if (this.opaque.has(path)) {
          await this.out.add({ name: `${entryName}/${OPAQUE_MARKER}`, type: 'file', size: 0, mode: 0, uid: st.uid, gid: st.gid, mtime: st.mtime });
        }
        if (!this.opts.descend || (await this.opts.descend(path))) await this.walk(path, entryName);
      }
    }
  }

  private async emit(name: string, path: string, st: Stats): Promise<void> {
    const base: Omit<TarHeader, 'type'> = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 };
    if (!st.isDirectory() && st.nlink > 1 && this.opts.hardlinks !== false) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.seen.get(key);
      if (first !== undefined) return this.out.add({ ...base, type: 'link', linkname: first });
      this.seen.set(key, name);
    }
    if (st.isDirectory()) return this.out.add({ ...base, name: `${name}/`, type: 'directory' });
    if (st.isSymbolicLink()) return this.out.add({ ...base, type: 'symlink', linkname: await readlink(path) });
    if (st.isFIFO()) return this.out.add({ ...base, type: 'fifo' });
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      return this.out.add({ ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) });
    }
    if (st.isFile()) return this.out.addFile({ ...base, type: 'file', size: st.size }, path);
    // Sockets (and anything stranger) have no tar form.
  }
}

/** Entries into a tar-stream pack, file contents streamed with backpressure. */
class PackOut implements EntryOut {
  constructor(private readonly p: Pack, private readonly stopped: () => boolean) {}

  add(header: TarHeader): Promise<void> {
    return new Promise((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      // A file entry's sink waits for its body; an empty one must still be ended.
      if (header.type === 'file') this.p.entry(header, Buffer.alloc(0), cb);
      else this.p.entry(header, cb);
    });
  }

  async addFile(header: TarHeader, path: string): Promise<void> {
    let sink!: EntrySink;
    const done = new Promise<void>((resolve, reject) => {
      sink = this.p.entry(header, (err) => (err ? reject(err) : resolve())) as unknown as EntrySink;
    });
    // Awaited below; if the consumer goes away first it rejects before that, which is not unhandled.
    done.catch(() => undefined);
    if (header.size > 0) {
      const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        // Exactly `size` bytes: a file growing under a running container must not overflow its entry.
        // The next chunk is read while the consumer takes this one.
        const readAt = (pos: number) => {
          const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, header.size - pos));
          return fh.read(buf, 0, buf.length, pos);
        };
        let pos = 0;
        let next = readAt(0);
        while (pos < header.size) {
          const { bytesRead, buffer } = await next;
          if (bytesRead === 0 || this.stopped() || sink.destroyed) break; // a file that shrank fails its short entry
          pos += bytesRead;
          if (pos < header.size) next = readAt(pos);
          if (!sink.write(buffer.subarray(0, bytesRead)) && !sink.destroyed) await drained(sink);
        }
        if (pos < header.size) await next.catch(() => undefined);
        if (this.stopped() || sink.destroyed) return;
      } finally {
        await fh.close();
      }
    }
    sink.end();
    await done;
  }
}
