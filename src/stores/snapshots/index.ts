// The snapshotter: unpacked layers (committed snapshots) and containers' writable layers (active snapshots).
import type { Readable } from 'node:stream';

/**
 * Vocabulary (as containerd's):
 * - a *committed* snapshot is an unpacked, read-only layer, named by the
 *   layer's chainID ("sha256:<hex>"); its parent is the chainID below it.
 * - an *active* snapshot is a writable upper directory above a committed
 *   parent, named by a key chosen by the caller (a container ID).
 *
 * On disk: `<root>/<dir>/fs` (the files) and `<root>/<dir>/work` (overlay
 * workdir), with a record per snapshot in `<root>/records/`. A snapshot is
 * built under a temp name and renamed into place, so a crash leaves only
 * directories without a record, which `cleanup()` sweeps. Removing deletes
 * the record first, then the files.
 *
 * The snapshotter never mounts: `mounts()` returns what to mount, the caller
 * (the runtime host seam) mounts it.
 */
export interface Mount {
  type: string;
  source: string;
  options: string[];
}

export interface SnapshotInfo {
  name: string;
  parent?: string;
  kind: 'committed' | 'active';
  created: string;
}

export interface AppliedLayer {
  /** chainID of the new committed snapshot. */
  chainID: string;
  /** sha256 of the uncompressed layer tar. */
  diffID: string;
  /** Bytes of the uncompressed layer tar. */
  size: number;
}

export interface Snapshotter {
  /**
   * Unpack a layer tar (plain or gzip) above `parent` (a chainID, or
   * undefined for a base layer) and commit it under its chainID, computed
   * from the parent and the diffID hashed while streaming. Extraction is
   * safe: no entry, link or whiteout can write outside the snapshot. If
   * `expectedDiffID` is given and differs, nothing is kept
   * (InvalidParameter). If the chainID already exists, the new copy is
   * discarded and the existing one returned. With `parentCommitted` (the
   * parent's own applyLayer, still running), the layer is unpacked at once
   * and committed only after the parent is; if that rejects, nothing is kept.
   */
  applyLayer(parent: string | undefined, layer: Readable, expectedDiffID?: string, signal?: AbortSignal,
    parentCommitted?: Promise<unknown>): Promise<AppliedLayer>;
  /** Whether a committed snapshot exists under this chainID. */
  hasLayer(chainID: string): Promise<boolean>;
  /** Create an active snapshot `key` above committed `parent`. Conflict if `key` exists. */
  prepare(key: string, parent: string | undefined): Promise<void>;
  /** What to mount for an active snapshot: one overlay mount (or a bind when there is no parent). NotFound if absent. */
  mounts(key: string): Promise<Mount[]>;
  /** A layer tar of what the active snapshot `key` changed (overlay whiteouts become `.wh.` entries). */
  diff(key: string): Readable;
  /** sha256 digest and length of what diff(key) would stream, without making the stream (for a layer whose tar nobody keeps). */
  diffDigest(key: string, signal?: AbortSignal): Promise<{ digest: string; size: number }>;
  /** Commit the changes of active `key` as a new layer above its parent, as applyLayer would from diff(key). */
  commit(key: string): Promise<AppliedLayer>;
  /**
   * Commit active `key` by moving its upper directory into place as the layer
   * (no copy, as containerd's overlay snapshotter commits); `diffID` is the
   * digest of diff(key) and `size` its length, which the caller hashed while
   * reading it. The committed snapshot records both, so `layerTar` can make the
   * tar again instead of anyone storing it. The active snapshot is gone
   * afterwards. If the chainID exists already, the existing layer is kept and
   * `key` is left as it was.
   */
  commitMove(key: string, diffID: string, size: number): Promise<AppliedLayer>;
  /**
   * The tar of layer `diffID`, made again from a snapshot that commitMove
   * committed, by the same generator as diff() (deterministic for an unchanged
   * directory), with its size. The stream is verified while it flows: if the
   * bytes do not hash to `diffID` (the layer's files were changed or lost),
   * it fails with a SystemError before its last chunk. Undefined when no
   * committed snapshot can make this layer.
   */
  layerTar(diffID: string): Promise<{ stream: Readable; size: number } | undefined>;
  /** Remove a snapshot (active or committed). Conflict if a snapshot has it as parent; absent is not an error. */
  remove(name: string): Promise<void>;
  /** Bytes used by a snapshot's own directory. */
  usage(name: string): Promise<number>;
  /** Path of the snapshot's own files (a layer's content or an active upper dir). */
  path(name: string): string;
  list(): Promise<SnapshotInfo[]>;
  /**
   * Called at daemon start: drop layers committed without a sync in an earlier
   * boot whose files no longer make their diffID (lost in a crash), then remove
   * directories with no record.
   */
  cleanup(): Promise<void>;
}

/** chainIDs of a layer stack: chainID(L0)=diffID(L0), chainID(Ln)=sha256(chainID(Ln-1)+" "+diffID(Ln)) (OCI image-spec). */
export function chainIDs(diffIDs: string[]): string[] {
  // Loaded lazily so this interface file stays free of runtime imports for type-only users.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const out: string[] = [];
  for (const d of diffIDs) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : 'sha256:' + createHash('sha256').update(`${prev} ${d}`).digest('hex'));
  }
  return out;
}
