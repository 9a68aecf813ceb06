// What pull, push, save and load share: the stores, the image service and how registries are reached.
import type { EndpointOptions } from '../../distribution/endpoint';
import type { ContentStore } from '../../stores/content';
import type { Snapshotter } from '../../stores/snapshots';
import type { EventPublisher } from '../events';
import type { ImageService } from './index';
import type { LayerBlobIndex } from './layer-blobs';

export interface TransferDeps {
  content: ContentStore;
  snapshots: Snapshotter;
  images: ImageService;
  layers: LayerBlobIndex;
  registries: EndpointOptions;
  events?: EventPublisher;
}

/** How many layers move at once (Docker's default max-concurrent-downloads is 3, uploads 5). */
export const CONCURRENT_DOWNLOADS = 3;
export const CONCURRENT_UPLOADS = 5;

/** Configs are small JSON; a bigger one is refused before it is read whole. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** Run `fn` over `items` with at most `limit` in flight; results in order; the first failure rejects. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
