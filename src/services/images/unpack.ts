// Unpacking a layer blob already in the content store (pulled or loaded) into a committed snapshot.
import type { Descriptor } from '../../distribution/manifest';
import { progressMessage, ProgressCounter, type Progress } from './progress';
import type { TransferDeps } from './transfer-deps';

/**
 * Apply `blob` (plain, gzip or zstd tar) above `parent`, verifying it
 * unpacks to `diffID`, unless that chainID is already unpacked. A blob that
 * is not the plain tar itself is remembered as the layer's compressed copy.
 */
export async function unpackLayer(deps: TransferDeps, parent: string | undefined, chainID: string, diffID: string, blob: Descriptor,
  repos: string[], progress?: Progress, signal?: AbortSignal): Promise<void> {
  if (!(await deps.snapshots.hasLayer(chainID))) {
    const id = blob.digest.slice(7, 19);
    const counter = new ProgressCounter((n) => progress?.(progressMessage('Extracting', id, n, blob.size)));
    const source = deps.content.open(blob.digest);
    source.on('error', (err) => counter.destroy(err));
    const { size } = await deps.snapshots.applyLayer(parent, source.pipe(counter), diffID, signal);
    if (blob.digest === diffID) return;
    await deps.layers.add(diffID, size, { digest: blob.digest, size: blob.size, mediaType: blob.mediaType, stored: true, repos });
    return;
  }
  if (blob.digest !== diffID) {
    await deps.layers.add(diffID, 0, { digest: blob.digest, size: blob.size, mediaType: blob.mediaType, stored: !!(await deps.content.stat(blob.digest)), repos });
  }
}
