// The content store on a local filesystem: blobs at <root>/blobs/sha256/<hex>, ingested through <root>/ingest/.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { DigestStream, digestOf, isDigest } from '../../archive/digest-stream';
import { writeBody, type BodyFile } from '../../archive/write-body';
import { hasCode, InvalidParameterError, NotFoundError } from '../../errors';
import { DelayedRun, kernelBootId } from '../boot-id';
import { dirEntries } from '../dir-entries';
import type { BlobInfo, ContentStore, IngestOptions } from './index';

/** Blobs are read in 1 MiB chunks: layers are hundreds of MB, and every chunk costs a trip to the thread pool. */
const READ_CHUNK = 1024 * 1024;

export interface FsContentStoreOptions {
  /** This boot's ID (default: the kernel's); a blob marked unsynced in another boot is checked at cleanup(). */
  bootId?: string;
  /** How long after a lazily synced ingest the filesystem is synced (default 30 s, when the kernel has written most of it back anyway). */
  syncDelayMs?: number;
}

export class FsContentStore implements ContentStore {
  private readonly blobs: string;
  private readonly ingestDir: string;
  /** `<hex>` files holding the boot ID a blob was renamed into place in without fsync. */
  private readonly unsyncedDir: string;
  private readonly bootId: string;
  private readonly syncLater: DelayedRun;
  /** Unsynced blobs complete in place (so a sync started now covers them): their marks go once it is done. */
  private readonly toSync = new Set<string>();

  constructor(private readonly root: string, opts: FsContentStoreOptions = {}) {
    this.blobs = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
    this.unsyncedDir = join(root, 'unsynced');
    this.bootId = opts.bootId ?? kernelBootId();
    this.syncLater = new DelayedRun(opts.syncDelayMs ?? 30_000, () => this.syncBlobs());
  }

  /** The blob's path; the digest is validated first, so it can never name anything outside `blobs/`. */
  private blobPath(digest: string): string {
    if (!isDigest(digest)) throw new InvalidParameterError(`invalid digest: ${JSON.stringify(String(digest)).slice(0, 100)}`);
    return join(this.blobs, digest.slice('sha256:'.length));
  }

  async ingest(source: Readable, expected?: string, signal?: AbortSignal, opts: IngestOptions = {}): Promise<BlobInfo> {
    if (expected !== undefined) {
      this.blobPath(expected);
      const have = await this.stat(expected);
      if (have) {
        // Already stored: consume the source as promised, keep nothing new.
        await pipeline(source, async function* (chunks: AsyncIterable<Buffer>) { for await (const _ of chunks) { /* drain */ } }, signal ? { signal } : {});
        return have;
      }
    }
    await mkdir(this.ingestDir, { recursive: true });
    await mkdir(this.blobs, { recursive: true });
    const tmp = join(this.ingestDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    // Marked (durably: two tiny fsyncs, while the data still arrives) before the blob can be in place unsynced.
    const lazy = opts.lazySync === true && expected !== undefined ? expected.slice('sha256:'.length) : undefined;
    const marking = lazy ? this.markUnsynced(lazy) : undefined;
    marking?.catch(() => undefined);
    let keep = false;
    try {
      const hasher = new DigestStream();
      // Chunks (64 KiB off a socket) are gathered into ~1 MiB writes, one in flight while the next fills;
      // the fd stays open for fsync.
      const hashing = pipeline(source, hasher, signal ? { signal } : {});
      const flusher = lazy ? undefined : new EarlyFlush(fh);
      await Promise.all([hashing, writeBody(flusher ?? fh, hasher).catch((err: Error) => {
        hasher.destroy(err);
        throw err;
      })]);
      if (flusher) {
        await flusher.settled();
        await fh.sync();
      }
      const digest = hasher.digest();
      if (expected !== undefined && digest !== expected) {
        throw new InvalidParameterError(`digest mismatch for blob ${expected}: got ${digest}`);
      }
      await marking;
      // Renaming over an identical blob written concurrently is harmless: same name, same bytes.
      await rename(tmp, this.blobPath(digest));
      keep = true;
      if (lazy) {
        this.toSync.add(lazy);
        this.scheduleSync();
      } else await this.syncDir(this.blobs);
      return { digest, size: hasher.size };
    } finally {
      await fh.close().catch(() => undefined);
      if (!keep) await unlink(tmp).catch(() => undefined);
      // A failed lazy ingest leaves no mark, unless the same blob got in place meanwhile (another pull of it).
      if (lazy && !keep) {
        await marking?.catch(() => undefined);
        if (!(await this.stat(expected!).catch(() => undefined))) await unlink(join(this.unsyncedDir, lazy)).catch(() => undefined);
      }
    }
  }

  private async markUnsynced(hex: string): Promise<void> {
    await mkdir(this.unsyncedDir, { recursive: true });
    const fh = await open(join(this.unsyncedDir, hex), 'w', 0o644);
    try {
      await fh.writeFile(this.bootId);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await this.syncDir(this.unsyncedDir);
  }

  /** One sync of the filesystem a while after lazy ingests, instead of an fsync of each blob while its pull waits. */
  private scheduleSync(): void {
    this.syncLater.schedule();
  }

  /** Sync the filesystem, then unmark the blobs that were in place before it started. */
  async syncBlobs(): Promise<void> {
    const done = [...this.toSync];
    if (!done.length) return;
    await promisify(execFile)('sync', ['-f', this.root]);
    for (const hex of done) {
      this.toSync.delete(hex);
      await unlink(join(this.unsyncedDir, hex)).catch(() => undefined);
    }
  }

  /**
   * Blobs marked unsynced: in this boot the page cache still holds them, so
   * they are only synced; from another boot they may have lost data in a
   * crash, so each is hashed again and dropped unless intact.
   */
  private async checkUnsynced(): Promise<void> {
    for (const hex of await dirEntries(this.unsyncedDir)) {
      const mark = join(this.unsyncedDir, hex);
      const digest = `sha256:${hex}`;
      const boot = await readFile(mark, 'utf8').catch(() => undefined);
      if (isDigest(digest) && boot === this.bootId) {
        this.toSync.add(hex);
        continue;
      }
      if (isDigest(digest) && !(await digestOf(this.open(digest)).then((d) => d.digest === digest, () => false))) await this.delete(digest);
      await unlink(mark).catch(() => undefined);
    }
    if (this.toSync.size) this.scheduleSync();
  }

  private async syncDir(dir: string): Promise<void> {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  put(data: Buffer | string, expected?: string): Promise<BlobInfo> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return this.ingest(Readable.from([buf], { objectMode: false }), expected);
  }

  async get(digest: string): Promise<Buffer> {
    const p = this.blobPath(digest);
    try {
      return await readFile(p);
    } catch (err) {
      if (hasCode(err, 'ENOENT')) throw new NotFoundError(`blob ${digest} not found`, { cause: err });
      throw err;
    }
  }

  open(digest: string): Readable {
    const p = this.blobPath(digest);
    // Opened lazily so a missing blob surfaces as a NotFound error on the stream.
    return Readable.from((async function* () {
      let fh;
      try {
        fh = await open(p, 'r');
      } catch (err) {
        if (hasCode(err, 'ENOENT')) throw new NotFoundError(`blob ${digest} not found`, { cause: err });
        throw err;
      }
      yield* fh.createReadStream({ highWaterMark: READ_CHUNK });
    })(), { objectMode: false });
  }

  async stat(digest: string): Promise<BlobInfo | undefined> {
    const p = this.blobPath(digest);
    try {
      const st = await stat(p);
      return { digest, size: st.size };
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
    await rm(join(this.unsyncedDir, digest.slice('sha256:'.length)), { force: true });
  }

  async list(): Promise<string[]> {
    return (await dirEntries(this.blobs)).map((n) => `sha256:${n}`).filter(isDigest);
  }

  async cleanup(): Promise<void> {
    await rm(this.ingestDir, { recursive: true, force: true });
    await mkdir(this.ingestDir, { recursive: true });
    await this.checkUnsynced();
  }
}

/** Bytes written between two early flushes of a blob being ingested. */
const FLUSH_EVERY = 16 * 1024 * 1024;

/**
 * The blob's writes, with an fdatasync started (not awaited) after every 16
 * MiB, so the disk writes a big blob back while the rest still arrives and
 * the fsync that makes it durable at the end has little left to do (it took
 * ~0.25 s at the end of a 200 MB pull otherwise).
 */
class EarlyFlush implements BodyFile {
  private sinceFlush = 0;
  private flushing: Promise<void> | undefined;

  constructor(private readonly fh: FileHandle) {}

  write(buffer: Buffer, offset: number): Promise<{ bytesWritten: number }> {
    return this.fh.write(buffer, offset).then((r) => this.wrote(r));
  }

  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }> {
    return this.fh.writev(buffers).then((r) => this.wrote(r));
  }

  /** Wait for a flush still running (its failure is the final fsync's to report). */
  async settled(): Promise<void> {
    await this.flushing;
  }

  private wrote<R extends { bytesWritten: number }>(r: R): R {
    this.sinceFlush += r.bytesWritten;
    if (this.sinceFlush >= FLUSH_EVERY && !this.flushing) {
      this.sinceFlush = 0;
      this.flushing = this.fh.datasync().catch(() => undefined).then(() => { this.flushing = undefined; });
    }
    return r;
  }
}
