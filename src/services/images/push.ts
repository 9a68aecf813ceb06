// Push: upload an image's layers (skipping and mounting what the registry has), its config and a manifest under a tag.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createFastGzip } from '../../archive/compress';
import { InvalidParameterError, NotFoundError } from '../../errors';
import type { AuthConfig } from '../../distribution/auth';
import { resolveEndpoint } from '../../distribution/endpoint';
import { MEDIA, type Descriptor } from '../../distribution/manifest';
import { RegistryClient } from '../../distribution/registry-client';
import { openLayer, type CompressedBlob } from './layer-blobs';
import { progressMessage, ProgressCounter, type Progress } from './progress';
import { familiarRepository, parseReference, referenceString, repositoryName, type Reference } from './reference';
import { CONCURRENT_UPLOADS, mapLimit, type TransferDeps } from './transfer-deps';

export interface PushOptions {
  auth?: AuthConfig;
  progress: Progress;
  signal?: AbortSignal;
}

/** The references a push covers: the one named, or every tag of the repository when no tag is given. */
export async function pushReferences(deps: TransferDeps, name: string, tag?: string): Promise<Reference[]> {
  const ref = parseReference(name);
  if (ref.digest) throw new InvalidParameterError('cannot push a digest reference');
  if (tag) ref.tag = parseReference(`x:${tag}`).tag;
  if (ref.tag) return [ref];
  const all = await deps.images.list({ all: true }) as Array<{ RepoTags?: string[] }>;
  const repo = repositoryName(ref);
  const refs = all.flatMap((i) => i.RepoTags ?? []).map((t) => parseReference(t)).filter((r) => repositoryName(r) === repo && r.tag);
  if (!refs.length) throw new NotFoundError(`An image does not exist locally with the tag: ${familiarRepository(ref)}`);
  return refs;
}

/** Push one tagged reference; returns the manifest digest. */
export async function pushImage(deps: TransferDeps, ref: Reference, opts: PushOptions): Promise<string> {
  const image = await deps.images.get(referenceString(ref)).catch(() => {
    throw new NotFoundError(`tag does not exist: ${familiarRepository(ref)}:${ref.tag}`);
  });
  const p = opts.progress;
  const repoName = repositoryName(ref);
  const diffIDs = image.config.rootfs.diff_ids;
  // Sources for cross-repository mounts on the same registry need pull access too.
  const mountFrom = new Set<string>();
  for (const d of diffIDs) {
    for (const b of (await deps.layers.get(d))?.blobs ?? []) {
      for (const r of b.repos) if (r !== repoName && r.startsWith(`${ref.domain}/`)) mountFrom.add(r.slice(ref.domain.length + 1));
    }
  }
  const scopes = [`repository:${ref.path}:pull,push`, ...[...mountFrom].map((r) => `repository:${r}:pull`)];
  const client = new RegistryClient(resolveEndpoint(ref.domain, deps.registries), scopes, opts.auth);
  p({ status: `The push refers to repository [${repoName}]` });
  const order = diffIDs.map((d, i) => ({ d, i })).reverse();
  for (const { d } of order) p({ status: 'Preparing', id: d.slice(7, 19) });
  const layers = new Array<Descriptor>(diffIDs.length);
  await mapLimit(order, CONCURRENT_UPLOADS, async ({ d, i }) => {
    layers[i] = await pushLayer(deps, client, ref, d, p, opts.signal);
  });

  const configBytes = await deps.content.get(image.record.id);
  if (!(await client.hasBlob(ref.path, image.record.id))) {
    await client.uploadBlob(ref.path, Readable.from([configBytes]), opts.signal);
  }
  const oci = layers.some((l) => l.mediaType.startsWith('application/vnd.oci.'));
  const manifest = {
    schemaVersion: 2,
    mediaType: oci ? MEDIA.ociManifest : MEDIA.dockerManifest,
    config: { mediaType: oci ? MEDIA.ociConfig : MEDIA.dockerConfig, size: configBytes.length, digest: image.record.id },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
  await client.putManifest(ref.path, ref.tag!, bytes, manifest.mediaType);
  const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
  await deps.images.addReference(image.record.id, referenceString({ domain: ref.domain, path: ref.path, digest }));
  p({ status: `${ref.tag}: digest: ${digest} size: ${bytes.length}` });
  deps.events?.publish('image', 'push', `${familiarRepository(ref)}:${ref.tag}`, { name: `${familiarRepository(ref)}:${ref.tag}` });
  return digest;
}

/** One layer: already there (HEAD), mounted from a sibling repository, its stored compressed blob uploaded, or gzipped on the fly. */
async function pushLayer(deps: TransferDeps, client: RegistryClient, ref: Reference, diffID: string, p: Progress, signal?: AbortSignal): Promise<Descriptor> {
  const id = diffID.slice(7, 19);
  const repoName = repositoryName(ref);
  const known = (await deps.layers.get(diffID))?.blobs ?? [];
  const desc = (b: CompressedBlob): Descriptor => ({ mediaType: b.mediaType, size: b.size, digest: b.digest });
  for (const b of known) {
    if (b.repos.includes(repoName) && (await client.hasBlob(ref.path, b.digest))) {
      p({ status: 'Layer already exists', id });
      return desc(b);
    }
  }
  for (const b of known) {
    for (const from of b.repos.filter((r) => r !== repoName && r.startsWith(`${ref.domain}/`))) {
      if (await client.mountBlob(ref.path, b.digest, from.slice(ref.domain.length + 1))) {
        await deps.layers.add(diffID, 0, { ...b, repos: [repoName] });
        p({ status: `Mounted from ${from.slice(ref.domain.length + 1)}`, id });
        return desc(b);
      }
    }
  }
  for (const b of known) {
    if (await client.hasBlob(ref.path, b.digest)) {
      await deps.layers.add(diffID, 0, { ...b, repos: [repoName] });
      p({ status: 'Layer already exists', id });
      return desc(b);
    }
  }
  const stored = await deps.layers.stored(diffID);
  let blob: CompressedBlob;
  if (stored) {
    const counter = new ProgressCounter((n) => p(progressMessage('Pushing', id, n, stored.size)));
    const source = deps.content.open(stored.digest);
    source.on('error', (err) => counter.destroy(err));
    await client.uploadBlob(ref.path, source.pipe(counter), signal);
    blob = { ...stored, repos: [repoName] };
  } else {
    const layer = await openLayer(deps.content, deps.layers, diffID);
    const counter = new ProgressCounter((n) => p(progressMessage('Pushing', id, n, layer.size)));
    const gzip = createFastGzip();
    layer.stream.on('error', (err) => gzip.destroy(err));
    // A source failing (e.g. a corrupt layer) before uploadBlob pipes gzip must not be an unhandled error; uploadBlob still sees it.
    gzip.on('error', () => undefined);
    const up = await client.uploadBlob(ref.path, layer.stream.pipe(counter).pipe(gzip), signal);
    blob = { digest: up.digest, size: up.size, mediaType: MEDIA.dockerLayerGzip, stored: false, repos: [repoName] };
  }
  await deps.layers.add(diffID, 0, blob);
  p({ status: 'Pushed', id });
  return desc(blob);
}
