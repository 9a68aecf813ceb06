// Pull: resolve a reference on its registry, fetch the manifest for this platform, download and verify layers, unpack, record.
import type { Readable } from 'node:stream';
import { teeInto } from '../../archive/tee';
import { InvalidParameterError, NotFoundError, UnauthorizedError } from '../../errors';
import type { AuthConfig } from '../../distribution/auth';
import { resolveEndpoint } from '../../distribution/endpoint';
import { layerCompression, parseManifest, parsePlatform, platformMatches, platformString, selectPlatform, type Descriptor, type ImageManifest } from '../../distribution/manifest';
import { RegistryClient } from '../../distribution/registry-client';
import { chainIDs } from '../../stores/snapshots';
import { hostArchitecture } from './image-service';
import { progressMessage, ProgressCounter, type Progress } from './progress';
import { unpackLayer } from './unpack';
import { familiarRepository, familiarString, parseReference, referenceString, repositoryName, type Reference } from './reference';
import { CONCURRENT_DOWNLOADS, MAX_CONFIG_BYTES, mapLimit, type TransferDeps } from './transfer-deps';
import type { ImageConfig } from './types';

export interface PullOptions {
  platform?: string;
  auth?: AuthConfig;
  progress: Progress;
  signal?: AbortSignal;
}

/** Attempts per layer download: a dropped connection is retried from the start (nothing partial is kept). */
const DOWNLOAD_ATTEMPTS = 3;

/** fromImage (maybe with its own tag or digest) and the tag parameter (a tag or a digest) as one reference. */
export function pullReference(fromImage: string, tag?: string): Reference {
  const ref = parseReference(fromImage);
  if (tag) {
    if (/^[a-z0-9]+:[0-9a-f]{32,}$/.test(tag)) ref.digest = tag;
    else if (!ref.digest) ref.tag = parseReference(`x:${tag}`).tag;
  }
  if (!ref.tag && !ref.digest) ref.tag = 'latest';
  if (ref.digest) ref.tag = undefined;
  return ref;
}

function notFoundText(ref: Reference): string {
  return `manifest for ${familiarString(ref)} not found`;
}

/** Pull `ref`; returns the image ID. Progress follows Docker's messages. */
export async function pullImage(deps: TransferDeps, ref: Reference, opts: PullOptions): Promise<string> {
  const { id, updated } = await pullOne(deps, ref, opts);
  opts.progress(pullStatus(familiarString(ref), updated));
  return id;
}

/** Docker's closing line of a pull: `name` is what was asked for (a repository for --all-tags). */
export function pullStatus(name: string, updated: boolean): { status: string } {
  return { status: updated ? `Status: Downloaded newer image for ${name}` : `Status: Image is up to date for ${name}` };
}

/** As Docker: a registry refusing us looks like a missing repository (404), never a prompt-worthy 401. */
export function accessDenied(ref: Reference, err: unknown): unknown {
  if (!(err instanceof UnauthorizedError)) return err;
  return new NotFoundError(`pull access denied for ${familiarRepository(ref)}, repository does not exist or may require 'docker login': ${err.message}`, { cause: err });
}

/** Pull one tag or digest, up to its `Digest:` line; `updated` when the name now points at another image. */
export async function pullOne(deps: TransferDeps, ref: Reference, opts: PullOptions): Promise<{ id: string; updated: boolean }> {
  const want = parsePlatform(opts.platform, { os: 'linux', architecture: hostArchitecture() });
  const repo = ref.path;
  const client = new RegistryClient(resolveEndpoint(ref.domain, deps.registries), [`repository:${repo}:pull`], opts.auth);
  const p = opts.progress;
  // Nothing is reported before the manifest is found, so a bad reference is an HTTP error, as with Docker.
  const top = await client.getManifest(repo, ref.digest ?? ref.tag!, notFoundText(ref), opts.signal).catch((err) => {
    throw accessDenied(ref, err);
  });
  p({ status: `Pulling from ${ref.path}`, id: ref.tag ?? ref.digest });
  let parsed = parseManifest(top.bytes, top.mediaType);
  if (parsed.kind === 'index') {
    const desc = selectPlatform(parsed.index, want);
    const inner = await client.getManifest(repo, desc.digest, notFoundText(ref), opts.signal);
    parsed = parseManifest(inner.bytes, inner.mediaType);
    if (parsed.kind !== 'manifest') throw new InvalidParameterError('invalid manifest: an index inside an index');
  }
  const manifest: ImageManifest = parsed.manifest;
  if (manifest.config.size > MAX_CONFIG_BYTES) throw new InvalidParameterError(`image config too big: ${manifest.config.size} bytes`);
  const configBytes = await client.getSmallBlob(repo, manifest.config.digest, MAX_CONFIG_BYTES, opts.signal);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const diffIDs = config.rootfs?.diff_ids ?? [];
  if (!Array.isArray(diffIDs) || diffIDs.length !== manifest.layers.length) {
    throw new InvalidParameterError('invalid image: the config lists a different number of layers than the manifest');
  }
  if (opts.platform && !platformMatches({ os: config.os, architecture: config.architecture, variant: config.variant }, want)) {
    throw new NotFoundError(`image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${platformString(want)}, actual: ${platformString({ os: config.os, architecture: config.architecture, variant: config.variant })}`);
  }

  const chain = chainIDs(diffIDs);
  const present = await Promise.all(chain.map((c) => deps.snapshots.hasLayer(c)));
  const shortId = (d: Descriptor) => d.digest.slice(7, 19);
  const announced = new Set<string>();
  manifest.layers.forEach((l, i) => {
    if (announced.has(l.digest)) return;
    announced.add(l.digest);
    p({ status: present[i] ? 'Already exists' : 'Pulling fs layer', id: shortId(l) });
  });
  for (const l of manifest.layers) {
    if (layerCompression(l.mediaType) === 'sniff' && /foreign|nondistributable/.test(l.mediaType)) {
      throw new InvalidParameterError(`layer ${l.digest} is non-distributable (${l.mediaType}): not supported`);
    }
  }

  const repoName = repositoryName(ref);
  // The first failure stops the other layers' transfers (and their retries).
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const downloads = new Map<string, Promise<void>>();
  // Every missing layer streams straight into its own snapshot while it downloads (a few at a time, in
  // order), tee'd into the content store, and commits once the layer below it has. A blob listed twice
  // is unpacked from the store for its second place.
  const missing = manifest.layers.map((l, i) => ({ l, i })).filter(({ i }) => !present[i]);
  // Layer i's task settles once it is committed, so that layer i+1 may commit above it (a present layer has none).
  const tasks: Array<Promise<void>> = [];
  const transfers = mapLimit(missing, CONCURRENT_DOWNLOADS, ({ l, i }) => (tasks[i] = transferLayer(l, i)));
  async function transferLayer(l: Descriptor, i: number): Promise<void> {
    const parent = i ? chain[i - 1] : undefined;
    const below = i ? tasks[i - 1] : undefined;
    try {
      signal.throwIfAborted();
      const first = downloads.get(l.digest);
      if (first) {
        await first;
        await below;
        await unpackLayer(deps, parent, chain[i], diffIDs[i], l, [repoName], p, signal);
      } else {
        const d = downloadLayer(deps, client, repo, l, p, signal, async (s) => {
          const { size } = await deps.snapshots.applyLayer(parent, s, diffIDs[i], signal, below);
          await deps.layers.add(diffIDs[i], size, { digest: l.digest, size: l.size, mediaType: l.mediaType, stored: true, repos: [repoName] });
        });
        downloads.set(l.digest, d);
        await d;
        // Already in the store (an earlier pull that failed later): unpacked from there.
        if (!(await deps.snapshots.hasLayer(chain[i]))) {
          await below;
          await unpackLayer(deps, parent, chain[i], diffIDs[i], l, [repoName], p, signal);
        } else p(progressMessage('Extracting', shortId(l), l.size, l.size));
      }
      p({ status: 'Pull complete', id: shortId(l) });
    } catch (err) {
      stop.abort();
      throw err;
    }
  }
  // On a failure, the others are stopped and their half-written files gone before the pull fails.
  await transfers.catch(async (err) => {
    await Promise.allSettled(tasks);
    throw err;
  });
  for (let i = 0; i < manifest.layers.length; i++) {
    if (present[i]) await unpackLayer(deps, undefined, chain[i], diffIDs[i], manifest.layers[i], [repoName]);
  }

  const tagged = ref.tag ? referenceString(ref) : undefined;
  const before = tagged ? await deps.images.get(tagged).then((i) => i.record.id, () => undefined) : undefined;
  const digestRef = referenceString({ domain: ref.domain, path: ref.path, digest: top.digest });
  const id = await deps.images.storeImage(configBytes, { tags: tagged ? [tagged, digestRef] : [digestRef] });
  p({ status: `Digest: ${top.digest}` });
  deps.events?.publish('image', 'pull', familiarString(ref), { name: familiarString(ref) });
  return { id, updated: before !== id };
}

/** Fetch one layer blob into the content store (and `unpack`, if given), verified against its digest while streaming; retried on failure. */
async function downloadLayer(deps: TransferDeps, client: RegistryClient, repo: string, l: Descriptor, p: Progress, signal?: AbortSignal,
  unpack?: (s: Readable) => Promise<unknown>): Promise<void> {
  const id = l.digest.slice(7, 19);
  if (await deps.content.stat(l.digest)) {
    p({ status: 'Download complete', id });
    return;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const { stream } = await client.getBlob(repo, l.digest, signal);
      const counter = new ProgressCounter((n) => p(progressMessage('Downloading', id, n, l.size)), l.size);
      stream.on('error', (err) => counter.destroy(err));
      stream.pipe(counter);
      // With `unpack`, the same verified bytes also go to the snapshot; either side failing fails both.
      // The compressed copy is a cache (the layer is its snapshot): not fsynced while the pull waits (see lazySync).
      if (unpack) await teeInto(counter, (s) => deps.content.ingest(s, l.digest, signal, { lazySync: true }), unpack);
      else await deps.content.ingest(counter, l.digest, signal, { lazySync: true });
      break;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'InvalidParameter') {
        throw new InvalidParameterError(`filesystem layer verification failed for digest ${l.digest}: ${(err as Error).message}`, { cause: err });
      }
      if (attempt >= DOWNLOAD_ATTEMPTS || signal?.aborted) throw err;
      p({ status: `Retrying in ${attempt} second${attempt > 1 ? 's' : ''}`, id });
      await new Promise((r) => setTimeout(r, attempt * 1000));
    }
  }
  p({ status: 'Verifying Checksum', id });
  p({ status: 'Download complete', id });
}
