// Which compressed blobs hold a layer (diffID): kept in the content store after a pull, or known to a registry after a push.
import type { Readable } from 'node:stream';
import { decompress } from '../../archive/decompress';
import { NotFoundError } from '../../errors';
import type { ContentStore } from '../../stores/content';
import type { MetadataStore } from '../../stores/metadata';
import type { Snapshotter } from '../../stores/snapshots';

const KIND = 'layerblobs';

export interface CompressedBlob {
  digest: string;
  size: number;
  mediaType: string;
  /** Whether the bytes are in the local content store (pulled) or only remembered (pushed). */
  stored: boolean;
  /** Repositories ("domain/path") known to hold the blob, for HEAD checks and cross-repo mounts. */
  repos: string[];
}

interface LayerRecord {
  diffID: string;
  /** Uncompressed bytes of the layer tar. */
  size: number;
  blobs: CompressedBlob[];
}

/**
 * Docker's "v2 metadata service": diffID ↔ compressed digest. A layer's
 * uncompressed tar is in the content store under its diffID (imports, loads,
 * docker commit), only compressed under the registry's digest (pulls), or
 * nowhere but made again from its snapshot (build steps, see `snapshots`);
 * this index says which, and where a push can skip or mount it.
 */
export class LayerBlobIndex {
  /** `snapshots` regenerates the tars of layers committed without one. */
  constructor(private readonly metadata: MetadataStore, private readonly content: ContentStore, readonly snapshots?: Pick<Snapshotter, 'layerTar'>) {}

  get(diffID: string): Promise<LayerRecord | undefined> {
    return this.metadata.get<LayerRecord>(KIND, diffID.slice(7));
  }

  /** Remember (or update) a compressed copy of `diffID`, merging repositories. */
  async add(diffID: string, size: number, blob: CompressedBlob): Promise<void> {
    const rec = (await this.get(diffID)) ?? { diffID, size, blobs: [] };
    rec.size = size || rec.size;
    const have = rec.blobs.find((b) => b.digest === blob.digest);
    if (have) {
      have.stored ||= blob.stored;
      for (const r of blob.repos) if (!have.repos.includes(r)) have.repos.push(r);
    } else rec.blobs.push(blob);
    await this.metadata.put(KIND, diffID.slice(7), rec);
  }

  /** A compressed copy present in the content store, if any. */
  async stored(diffID: string): Promise<CompressedBlob | undefined> {
    const rec = await this.get(diffID);
    for (const b of rec?.blobs ?? []) if (b.stored && (await this.content.stat(b.digest))) return b;
    return undefined;
  }

  /** Forget layers no image uses: the record first, then stored compressed blobs. */
  async release(diffIDs: string[]): Promise<void> {
    for (const d of diffIDs) {
      const rec = await this.get(d);
      if (!rec) continue;
      await this.metadata.delete(KIND, d.slice(7));
      for (const b of rec.blobs) if (b.stored) await this.content.delete(b.digest);
    }
  }
}

/**
 * A layer's uncompressed tar and its size: the diffID blob, else the tar made
 * again (and verified) from its snapshot, else a stored compressed copy
 * inflated on the fly.
 */
export async function openLayer(content: ContentStore, index: LayerBlobIndex, diffID: string): Promise<{ stream: Readable; size: number }> {
  const plain = await content.stat(diffID);
  if (plain) return { stream: content.open(diffID), size: plain.size };
  const regenerated = await index.snapshots?.layerTar(diffID);
  if (regenerated) return regenerated;
  const rec = await index.get(diffID);
  const blob = await index.stored(diffID);
  if (rec && blob && rec.size > 0) return { stream: decompress(content.open(blob.digest)), size: rec.size };
  throw new NotFoundError(`layer ${diffID} is not available as a tar (its blob is missing)`);
}
