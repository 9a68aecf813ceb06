// The overlayfs snapshotter: layers unpacked once into <root>/<dir>/fs, containers' upper dirs beside them, records in <root>/records.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressed } from '../../archive/decompress';
import { DigestStream, digestOf, isDigest, VerifyingStream } from '../../archive/digest-stream';
import { extractTar } from '../../archive/extract';
import { digestDir } from '../../archive/digest-dir';
import { packDir, type PackOptions } from '../../archive/pack';
import { defaultRunner, type CommandRunner } from '../../archive/whiteouts';
import { ConflictError, hasCode, InvalidParameterError, NotFoundError, SystemError } from '../../errors';
import { DelayedRun, kernelBootId } from '../boot-id';
import { dirEntries } from '../dir-entries';
import { FsMetadataStore } from '../metadata/fs-metadata-store';
import type { AppliedLayer, Mount, SnapshotInfo, Snapshotter } from './index';

export { chainIDs } from './index';

const RECORDS = 'records';
const KIND = 'snapshot';
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

interface SnapshotRecord extends SnapshotInfo {
  /** Directory under the root holding `fs` (and `work` for active snapshots). */
  dir: string;
  /**
   * Set by commitMove: the layer tar is not stored anywhere, `layerTar` makes
   * it again from `fs`. The files were not fsynced at commit: `bootId` is the
   * boot they were written in, `synced` is set once a syncfs has run after.
   */
  regenerable?: { diffID: string; size: number; bootId?: string; synced?: boolean };
}

export interface OverlaySnapshotterOptions {
  /** This boot's ID (default: the kernel's); a layer written in another boot and never synced is checked at cleanup(). */
  bootId?: string;
  /** How long after a commitMove the filesystem is synced (default 30 s, when the kernel has written most of it back anyway). */
  syncDelayMs?: number;
}

/**
 * Directory names are derived from snapshot names, so `path()` needs no
 * lookup and never contains ':' (overlay's lowerdir separator): a chainID
 * `sha256:<hex>` lives in `<hex>`, an active key `k` in `a-<k>` (or
 * `h-<sha256 of k>` when `k` has other characters). Temp builds are `tmp-*`.
 */
function dirFor(name: string): string {
  if (isDigest(name)) return name.slice('sha256:'.length);
  if (SAFE_KEY.test(name)) return `a-${name}`;
  return `h-${createHash('sha256').update(name).digest('hex')}`;
}

export class OverlaySnapshotter implements Snapshotter {
  private readonly records: FsMetadataStore;
  private readonly runner: CommandRunner;
  /** Record changes (check, rename, write) run one at a time; unpacking runs outside it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Bytes of committed snapshots, which never change: every image record and history walked them again. */
  private readonly committedUsage = new Map<string, number>();

  private readonly bootId: string;
  private readonly syncLater: DelayedRun;

  constructor(private readonly root: string, host?: CommandRunner, opts: OverlaySnapshotterOptions = {}) {
    this.records = new FsMetadataStore(join(root, RECORDS));
    this.runner = host ?? defaultRunner;
    this.bootId = opts.bootId ?? kernelBootId();
    this.syncLater = new DelayedRun(opts.syncDelayMs ?? 30_000, () => this.syncLayers());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async record(name: string): Promise<SnapshotRecord | undefined> {
    if (typeof name !== 'string' || name === '') return undefined;
    const r = await this.records.get<SnapshotRecord>(KIND, dirFor(name));
    return r && r.name === name ? r : undefined;
  }

  private async committed(chainID: string): Promise<SnapshotRecord> {
    const r = await this.record(chainID);
    if (!r || r.kind !== 'committed') throw new NotFoundError(`No such layer snapshot: ${chainID}`);
    return r;
  }

  private async newTempDir(): Promise<string> {
    const dir = join(this.root, `tmp-${randomBytes(8).toString('hex')}`);
    await mkdir(join(dir, 'fs'), { recursive: true, mode: 0o755 });
    return dir;
  }

  path(name: string): string {
    return join(this.root, dirFor(name), 'fs');
  }

  async hasLayer(chainID: string): Promise<boolean> {
    const r = await this.record(chainID);
    return r?.kind === 'committed';
  }

  async applyLayer(parent: string | undefined, layer: Readable, expectedDiffID?: string, signal?: AbortSignal,
    parentCommitted?: Promise<unknown>): Promise<AppliedLayer> {
    if (expectedDiffID !== undefined && !isDigest(expectedDiffID)) throw new InvalidParameterError(`invalid diffID: ${JSON.stringify(expectedDiffID)}`);
    // Not awaited before unpacking: a failure of the parent must not be unhandled meanwhile.
    parentCommitted?.catch(() => undefined);
    if (parent !== undefined && !parentCommitted) await this.committed(parent);
    const tmp = await this.newTempDir();
    try {
      const hasher = new DigestStream();
      // Handed straight to the inflater (or passed through): no generator stage per chunk.
      const input = await decompressed(layer);
      const hashing = pipeline(input, hasher, signal ? { signal } : {});
      // A base layer has nothing below it for whiteouts to hide.
      await Promise.all([
        hashing,
        extractTar(hasher, join(tmp, 'fs'), { whiteouts: parent ? 'overlay' : 'ignore', signal, runner: this.runner }),
      ]);
      const diffID = hasher.digest();
      if (expectedDiffID !== undefined && diffID !== expectedDiffID) {
        throw new InvalidParameterError(`layer diffID mismatch: expected ${expectedDiffID}, got ${diffID}`);
      }
      const chainID = parent ? `sha256:${createHash('sha256').update(`${parent} ${diffID}`).digest('hex')}` : diffID;
      const size = hasher.size;
      await parentCommitted;
      await this.serial(async () => {
        if (await this.record(chainID)) return;
        if (parent !== undefined) await this.committed(parent);
        const dir = dirFor(chainID);
        // A directory without a record is a leftover of a crash; the record is what makes a snapshot exist.
        await rm(join(this.root, dir), { recursive: true, force: true });
        await rename(tmp, join(this.root, dir));
        const rec: SnapshotRecord = { name: chainID, parent, kind: 'committed', created: new Date().toISOString(), dir };
        await this.records.put(KIND, dir, rec);
      });
      return { chainID, diffID, size };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async prepare(key: string, parent: string | undefined): Promise<void> {
    if (typeof key !== 'string' || key === '' || isDigest(key)) throw new InvalidParameterError(`invalid snapshot key: ${JSON.stringify(key)}`);
    const tmp = await this.newTempDir();
    try {
      await mkdir(join(tmp, 'work'), { mode: 0o700 });
      await this.serial(async () => {
        if (await this.record(key)) throw new ConflictError(`snapshot ${key} already exists`);
        if (parent !== undefined) await this.committed(parent);
        const dir = dirFor(key);
        await rm(join(this.root, dir), { recursive: true, force: true });
        await rename(tmp, join(this.root, dir));
        const rec: SnapshotRecord = { name: key, parent, kind: 'active', created: new Date().toISOString(), dir };
        await this.records.put(KIND, dir, rec);
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Lower directories of `parent` and its ancestors, nearest first. */
  private async lowerDirs(parent: string | undefined): Promise<string[]> {
    const out: string[] = [];
    for (let name = parent; name !== undefined;) {
      const r = await this.committed(name);
      out.push(join(this.root, r.dir, 'fs'));
      name = r.parent;
    }
    return out;
  }

  /**
   * For an active snapshot: overlay of its upper dir over the parent chain,
   * or a read-write bind of its dir when it has no parent. A committed
   * snapshot can be asked too: its files read-only.
   */
  async mounts(key: string): Promise<Mount[]> {
    const r = await this.record(key);
    if (!r) throw new NotFoundError(`No such snapshot: ${key}`);
    const fs = join(this.root, r.dir, 'fs');
    if (r.kind === 'committed') {
      const lowers = await this.lowerDirs(key);
      if (lowers.length === 1) return [{ type: 'bind', source: fs, options: ['rbind', 'ro'] }];
      return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`] }];
    }
    if (r.parent === undefined) return [{ type: 'bind', source: fs, options: ['rbind', 'rw'] }];
    const lowers = await this.lowerDirs(r.parent);
    return [{
      type: 'overlay',
      source: 'overlay',
      options: [`lowerdir=${lowers.join(':')}`, `upperdir=${fs}`, `workdir=${join(this.root, r.dir, 'work')}`],
    }];
  }

  diff(key: string): Readable {
    const out = new PassThrough();
    (async () => {
      const r = await this.record(key);
      if (!r || r.kind !== 'active') throw new NotFoundError(`No such active snapshot: ${key}`);
      await pipeline(this.layerStream(r), out);
    })().catch((err: Error) => out.destroy(err));
    return out;
  }

  async diffDigest(key: string, signal?: AbortSignal): Promise<{ digest: string; size: number }> {
    const r = await this.record(key);
    if (!r || r.kind !== 'active') throw new NotFoundError(`No such active snapshot: ${key}`);
    return digestDir(join(this.root, r.dir, 'fs'), { ...this.layerOptions(r), signal });
  }

  /** How a snapshot's directory becomes its layer tar: the one generator for diff, diffDigest and layerTar. */
  private layerOptions(r: SnapshotRecord): PackOptions {
    return { whiteouts: r.parent ? 'overlay' : 'none', runner: this.runner };
  }

  /** The one layer generator, for an upper dir (diff) and for the same dir once committed (layerTar). */
  private layerStream(r: SnapshotRecord): Readable {
    return packDir(join(this.root, r.dir, 'fs'), this.layerOptions(r));
  }

  async layerTar(diffID: string): Promise<{ stream: Readable; size: number } | undefined> {
    if (!isDigest(diffID)) return undefined;
    const r = (await this.records.list<SnapshotRecord>(KIND)).find((c) => c.kind === 'committed' && c.regenerable?.diffID === diffID);
    if (!r?.regenerable) return undefined;
    const { size } = r.regenerable;
    const verify = new VerifyingStream(diffID, size, (got) => new SystemError(`layer ${diffID} is corrupt: its snapshot ${r.name} now makes a tar of ${got}`));
    const source = this.layerStream(r);
    source.on('error', (err) => verify.destroy(err));
    verify.on('close', () => source.destroy());
    return { stream: source.pipe(verify), size };
  }

  /** The active snapshot stays as it is (a running container keeps its upper dir). */
  async commit(key: string): Promise<AppliedLayer> {
    const r = await this.record(key);
    if (!r || r.kind !== 'active') throw new NotFoundError(`No such active snapshot: ${key}`);
    return this.applyLayer(r.parent, this.diff(key));
  }

  async commitMove(key: string, diffID: string, size: number): Promise<AppliedLayer> {
    if (!isDigest(diffID)) throw new InvalidParameterError(`invalid diffID: ${JSON.stringify(diffID)}`);
    const r = await this.record(key);
    if (!r || r.kind !== 'active') throw new NotFoundError(`No such active snapshot: ${key}`);
    const chainID = r.parent ? `sha256:${createHash('sha256').update(`${r.parent} ${diffID}`).digest('hex')}` : diffID;
    await this.serial(async () => {
      if (await this.record(chainID)) return;
      const dir = dirFor(chainID);
      const tmp = await this.newTempDir();
      await rm(join(tmp, 'fs'), { recursive: true, force: true });
      await rename(join(this.root, r.dir, 'fs'), join(tmp, 'fs'));
      await this.records.delete(KIND, r.dir);
      await rm(join(this.root, dir), { recursive: true, force: true });
      await rename(tmp, join(this.root, dir));
      await this.records.put(KIND, dir, { name: chainID, parent: r.parent, kind: 'committed', created: new Date().toISOString(), dir, regenerable: { diffID, size, bootId: this.bootId } } satisfies SnapshotRecord);
      await rm(join(this.root, r.dir), { recursive: true, force: true });
    });
    this.scheduleSync();
    return { chainID, diffID, size };
  }

  /** One syncfs a while after commits, instead of fsyncing every layer's files while the build waits. */
  private scheduleSync(): void {
    this.syncLater.schedule();
  }

  /** Sync the filesystem, then mark every layer committed unsynced before as synced (trusted after a crash). */
  async syncLayers(): Promise<void> {
    const pending = (await this.records.list<SnapshotRecord>(KIND)).filter((r) => r.regenerable && !r.regenerable.synced);
    if (!pending.length) return;
    await this.runner.run('sync', ['-f', this.root]);
    await this.serial(async () => {
      for (const r of pending) {
        const now = await this.record(r.name);
        if (now?.regenerable && now.created === r.created) await this.records.put(KIND, now.dir, { ...now, regenerable: { ...now.regenerable, synced: true } });
      }
    });
  }

  /**
   * A layer committed without fsync in an earlier boot, never synced since,
   * may have lost its files in a crash: make its tar again and keep it only if
   * it still hashes to its diffID. In the same boot the page cache still holds
   * whatever was written, so it is only synced.
   */
  private async checkUnsyncedLayers(): Promise<void> {
    let sameBoot = false;
    for (const r of await this.records.list<SnapshotRecord>(KIND)) {
      const g = r.regenerable;
      if (r.kind !== 'committed' || !g || g.synced) continue;
      if (g.bootId === this.bootId) {
        sameBoot = true;
        continue;
      }
      const made = await digestDir(join(this.root, r.dir, 'fs'), this.layerOptions(r)).catch(() => undefined);
      if (made && made.digest === g.diffID && made.size === g.size) {
        await this.records.put(KIND, r.dir, { ...r, regenerable: { ...g, synced: true } });
      } else {
        // Dropping the record makes the layer absent (its directory is swept): images on it fail to run instead of running on damaged files.
        await this.records.delete(KIND, r.dir);
      }
    }
    if (sameBoot) this.scheduleSync();
  }

  async remove(name: string): Promise<void> {
    const dir = await this.serial(async () => {
      const r = await this.record(name);
      if (!r) return undefined;
      const all = await this.records.list<SnapshotRecord>(KIND);
      const child = all.find((c) => c.parent === name);
      if (child) throw new ConflictError(`snapshot ${name} is in use: it is the parent of ${child.name}`);
      await this.records.delete(KIND, r.dir);
      this.committedUsage.delete(`${r.dir}@${r.created}`);
      // Out of the way first, so the name can be reused while the files are deleted.
      const trash = join(this.root, `tmp-${randomBytes(8).toString('hex')}`);
      await rename(join(this.root, r.dir), trash).catch((err) => { if (!hasCode(err, 'ENOENT')) throw err; });
      return trash;
    });
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  async usage(name: string): Promise<number> {
    const r = await this.record(name);
    if (!r) throw new NotFoundError(`No such snapshot: ${name}`);
    if (r.kind !== 'committed') return directorySize(join(this.root, r.dir, 'fs'));
    const known = this.committedUsage.get(`${r.dir}@${r.created}`);
    if (known !== undefined) return known;
    const size = await directorySize(join(this.root, r.dir, 'fs'));
    this.committedUsage.set(`${r.dir}@${r.created}`, size);
    return size;
  }

  async list(): Promise<SnapshotInfo[]> {
    const all = await this.records.list<SnapshotRecord>(KIND);
    return all.map(({ name, parent, kind, created }) => (parent === undefined ? { name, kind, created } : { name, parent, kind, created }));
  }

  async cleanup(): Promise<void> {
    await this.records.cleanup();
    await this.checkUnsyncedLayers();
    const live = new Set((await this.records.list<SnapshotRecord>(KIND)).map((r) => r.dir));
    for (const n of await dirEntries(this.root)) {
      if (n !== RECORDS && !live.has(n)) await rm(join(this.root, n), { recursive: true, force: true });
    }
  }
}

/** Bytes of the files under `dir` (each hard-linked inode once; directories themselves count nothing). */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<number>();
  const walk = async (p: string): Promise<number> => {
    let total = 0;
    for (const e of await readdir(p)) {
      const st = await lstat(join(p, e));
      if (st.isDirectory()) total += await walk(join(p, e));
      else if (!seen.has(st.ino)) {
        seen.add(st.ino);
        total += st.size;
      }
    }
    return total;
  };
  return walk(dir);
}
