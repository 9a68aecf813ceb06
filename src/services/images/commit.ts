// Images made from a writable snapshot (docker commit, build steps): the snapshot's diff as a new layer over the parent's.
import { SystemError } from '../../errors';
import { teeInto } from '../../archive/tee';
import type { BlobInfo, ContentStore } from '../../stores/content';
import { chainIDs, type Snapshotter } from '../../stores/snapshots';
import type { ImageService } from './index';
import type { HistoryEntry, Image, ImageConfig, ImageRunConfig } from './types';
import { hostArchitecture } from './image-service';

export interface CommitDeps {
  images: ImageService;
  content: ContentStore;
  snapshots: Snapshotter;
}

export interface ChildImage {
  /** The parent image, or undefined for a build FROM scratch. */
  parent?: Image;
  config: ImageRunConfig;
  history: Omit<HistoryEntry, 'created' | 'empty_layer'>;
  /** The active snapshot whose changes become the new layer; none for a config-only step. */
  snapshot?: string;
  /** The snapshot is not needed afterwards: its directory becomes the layer instead of being copied. */
  consumeSnapshot?: boolean;
  author?: string;
  comment?: string;
  tags?: string[];
  signal?: AbortSignal;
}

/**
 * Commit active snapshot `key` as a layer above `parentChain`. A snapshot that
 * is consumed becomes the layer itself, and its diff tar is only hashed (diffDigest), never
 * stored: the snapshotter makes it again, verified, when a push or save needs
 * it (as Docker's overlay2 keeps no layer tar). Otherwise the diff tar is
 * stored as a blob (named by its diffID, as import stores layers) and unpacked
 * as a committed snapshot, in one pass over the upper directory.
 */
export async function commitLayer(deps: CommitDeps, key: string, parentChain: string | undefined, signal?: AbortSignal, consume = false): Promise<{ diffID: string }> {
  if (consume) {
    const tar = await deps.snapshots.diffDigest(key, signal);
    const layer = await deps.snapshots.commitMove(key, tar.digest, tar.size);
    return { diffID: layer.diffID };
  }
  const [blob, layer] = await teeInto(deps.snapshots.diff(key),
    (s) => deps.content.ingest(s, undefined, signal),
    (s) => deps.snapshots.applyLayer(parentChain, s, undefined, signal));
  if (blob.digest !== layer.diffID) throw new SystemError(`layer digest ${blob.digest} differs from its diffID ${layer.diffID}`);
  return { diffID: layer.diffID };
}

/** The layer blobs of a whole stack when the content store has them all (for the manifest), else undefined. */
async function layerBlobs(content: ContentStore, diffIDs: string[]): Promise<BlobInfo[] | undefined> {
  const out: BlobInfo[] = [];
  for (const d of diffIDs) {
    const info = await content.stat(d);
    if (!info) return undefined;
    out.push(info);
  }
  return out;
}

/** Record a child image: the parent's layers (plus the snapshot's diff when given), `config`, one more history entry. */
export async function createChildImage(deps: CommitDeps, child: ChildImage): Promise<string> {
  const now = new Date().toISOString();
  const base = child.parent?.config;
  const diffIDs = [...(base?.rootfs.diff_ids ?? [])];
  if (child.snapshot !== undefined) {
    const parentChain = diffIDs.length ? chainIDs(diffIDs)[diffIDs.length - 1] : undefined;
    diffIDs.push((await commitLayer(deps, child.snapshot, parentChain, child.signal, child.consumeSnapshot)).diffID);
  }
  const entry: HistoryEntry = { created: now, ...child.history };
  if (child.snapshot === undefined) entry.empty_layer = true;
  const config: ImageConfig = {
    created: now,
    architecture: base?.architecture ?? hostArchitecture(),
    os: base?.os ?? 'linux',
    ...(base?.variant ? { variant: base.variant } : {}),
    config: child.config,
    rootfs: { type: 'layers', diff_ids: diffIDs },
    history: [...(base?.history ?? []), entry],
  };
  if (child.author) config.author = child.author;
  if (child.comment) config.comment = child.comment;
  const layers = await layerBlobs(deps.content, diffIDs);
  return deps.images.createImage(config, { parent: child.parent?.record.id, tags: child.tags, ...(layers ? { layers } : {}) });
}

/** The image-relevant part of a container's Config (what `docker commit` keeps). */
export function runConfigOf(c: Partial<Record<keyof ImageRunConfig | 'Hostname', unknown>>): ImageRunConfig {
  const keys: Array<keyof ImageRunConfig> = ['User', 'Env', 'Entrypoint', 'Cmd', 'WorkingDir', 'Labels', 'ExposedPorts', 'Volumes', 'StopSignal', 'OnBuild', 'Shell', 'Healthcheck'];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (c[k] !== undefined && c[k] !== null && c[k] !== '') out[k] = c[k];
  return out as ImageRunConfig;
}
