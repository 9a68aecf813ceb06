// The content store: immutable blobs named by their sha256 digest ("sha256:<hex>").
import type { Readable } from 'node:stream';

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface IngestOptions {
  /**
   * Rename the blob into place without waiting for its fsync (needs
   * `expected`): it is marked unsynced, the filesystem is synced a while
   * later, and a blob still marked after a reboot is hashed again at
   * cleanup() and dropped unless intact. For big blobs that are a cache of
   * something else (a pulled layer's compressed copy).
   */
  lazySync?: boolean;
}

/**
 * Blobs live under `<root>/blobs/sha256/<hex>`. Every write goes to
 * `<root>/ingest/` first, is hashed while streaming, verified against the
 * expected digest when one is given, fsynced and renamed into place, so a
 * blob is either complete and correct or absent (see IngestOptions.lazySync
 * for the one exception). Writing a blob that already exists is a no-op that
 * still consumes the source.
 */
export interface ContentStore {
  /** Stream `source` into the store. Rejects with InvalidParameter on a digest mismatch (nothing kept). */
  ingest(source: Readable, expected?: string, signal?: AbortSignal, opts?: IngestOptions): Promise<BlobInfo>;
  /** Store a small in-memory blob (configs, manifests). */
  put(data: Buffer | string, expected?: string): Promise<BlobInfo>;
  /** Read a whole blob; for small blobs only. NotFound when absent. */
  get(digest: string): Promise<Buffer>;
  /** Stream a blob. The stream errors with NotFound when absent. */
  open(digest: string): Readable;
  /** Size of a blob, or undefined when absent. */
  stat(digest: string): Promise<BlobInfo | undefined>;
  /** Remove a blob; absent is not an error. */
  delete(digest: string): Promise<void>;
  /** Every stored digest. */
  list(): Promise<string[]>;
  /** Remove leftovers of interrupted ingests, and unsynced blobs a crash damaged (called at daemon start). */
  cleanup(): Promise<void>;
}
