// The image service: references, tags, import, inspect, history, removal and pruning of local images.
import type { Readable } from 'node:stream';
import type { BlobInfo } from '../../stores/content';
import type { Image, ImageConfig } from './types';

export type { Image, ImageConfig, ImageRecord, ImageRunConfig } from './types';

export interface ImportOptions {
  repo?: string;
  tag?: string;
  changes: string[];
  message?: string;
  signal?: AbortSignal;
}

export interface RemoveOptions {
  force: boolean;
  noprune: boolean;
}

export type DeleteResponseItem = { Untagged: string } | { Deleted: string };

/** Filters as the API passes them: key → accepted values. */
export type Filters = Record<string, string[]>;

/** Who uses an image: the container service answers this so rmi can refuse. */
export type ImageUsers = (imageId: string) => Array<{ id: string; running: boolean }>;

/**
 * Local images. `get` accepts anything Docker accepts where an image is
 * named: a reference (`busybox`, `busybox:1`, `x@sha256:…`), a full ID
 * (`sha256:…`) or a unique ID prefix; unknown names are NotFound
 * ("No such image: x").
 */
export interface ImageService {
  load(): Promise<void>;
  get(nameOrId: string): Promise<Image>;
  /** Docker's ImageSummary list. */
  list(opts: { all?: boolean; filters?: Filters }): Promise<object[]>;
  /** Docker's ImageInspect object. */
  inspect(nameOrId: string): Promise<object>;
  history(nameOrId: string): Promise<object[]>;
  /** Point `repo[:tag]` (tag defaults to latest) at the image named by `source`. */
  tag(source: string, repo: string, tag?: string): Promise<void>;
  remove(nameOrId: string, opts: RemoveOptions): Promise<DeleteResponseItem[]>;
  prune(filters: Filters): Promise<{ ImagesDeleted: DeleteResponseItem[]; SpaceReclaimed: number }>;
  /** Import a root filesystem tar as a one-layer image; returns the image ID. */
  importImage(source: Readable, opts: ImportOptions): Promise<string>;
  /** Record an image whose layers are already snapshots (build, commit); returns its ID. */
  createImage(config: ImageConfig, opts?: { parent?: string; tags?: string[]; layers?: BlobInfo[] }): Promise<string>;
  /** Record an image from its config blob's exact bytes (pull and load keep them, so the ID matches); tags are canonical references, digests allowed. */
  storeImage(rawConfig: Buffer, opts?: { tags?: string[]; layers?: BlobInfo[] }): Promise<string>;
  /** Record `parent` as the parent of an image that has none (cachefrom puts a pulled image on the chain it rebuilt). */
  adoptParent(imageId: string, parent: string): Promise<void>;
  /** Point a canonical reference (a `repo@digest` after a push) at an existing image. */
  addReference(imageId: string, ref: string): Promise<void>;
  /** Called with the diffIDs no image uses any more after a delete (so compressed copies of them can go too). */
  setLayerRelease(release: (diffIDs: string[]) => Promise<void>): void;
  /** Familiar "name:tag" references of an image, for display. */
  refsOf(imageId: string): string[];
  /** Set who uses images (wired by the daemon once containers exist). */
  setUsers(users: ImageUsers): void;
}
