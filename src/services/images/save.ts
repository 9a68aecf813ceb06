// Save: images as one docker-archive tar (manifest.json, repositories) that is also an OCI image layout (index.json, blobs/).
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { MEDIA } from '../../distribution/manifest';
import { openLayer } from './layer-blobs';
import { familiarRepository, familiarString, parseReference, referenceString, repositoryName, type Reference } from './reference';
import type { TransferDeps } from './transfer-deps';
import type { Image } from './types';

interface Planned {
  image: Image;
  /** Canonical references saved with the image. */
  refs: Reference[];
}

/** Resolve every name first (so an unknown one fails before any byte is sent); a repository without a tag means all its tags. */
export async function planSave(deps: TransferDeps, names: string[]): Promise<Planned[]> {
  const byId = new Map<string, Planned>();
  for (const name of names) {
    const image = await deps.images.get(name);
    const planned = byId.get(image.record.id) ?? { image, refs: [] };
    byId.set(image.record.id, planned);
    let ref: Reference | undefined;
    try { ref = parseReference(name); } catch { ref = undefined; }
    if (!ref || ref.digest || image.record.id.slice(7).startsWith(name.replace(/^sha256:/, ''))) continue;
    if (ref.tag) planned.refs.push(ref);
    else {
      const repo = repositoryName(ref);
      for (const r of deps.images.refsOf(image.record.id).map((x) => parseReference(x))) {
        if (repositoryName(r) === repo && r.tag) planned.refs.push(r);
      }
      if (!planned.refs.length) planned.refs.push({ ...ref, tag: 'latest' });
    }
  }
  return [...byId.values()];
}

async function addEntry(p: Pack, name: string, body: Readable | Buffer, size: number): Promise<void> {
  const entry = p.entry({ name, size, mode: 0o644, mtime: new Date(0) });
  if (Buffer.isBuffer(body)) await pipeline(Readable.from([body]), entry);
  else await pipeline(body, entry);
}

/** The archive as a stream; layers are read from the content store as the tar is consumed. */
export function saveImages(deps: TransferDeps, plan: Planned[]): Readable {
  const p = pack();
  (async () => {
    const written = new Set<string>();
    const blob = async (digest: string, body: () => Promise<{ stream: Readable | Buffer; size: number }>) => {
      if (written.has(digest)) return;
      written.add(digest);
      const b = await body();
      await addEntry(p, `blobs/sha256/${digest.slice(7)}`, b.stream, b.size);
    };
    p.entry({ name: 'blobs', type: 'directory', mode: 0o755, mtime: new Date(0) });
    p.entry({ name: 'blobs/sha256', type: 'directory', mode: 0o755, mtime: new Date(0) });
    const manifestJson: object[] = [];
    const index: object[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { image, refs } of plan) {
      const diffIDs = image.config.rootfs.diff_ids;
      const layers: Array<{ digest: string; size: number }> = [];
      for (const d of diffIDs) {
        const layer = await openLayer(deps.content, deps.layers, d);
        layers.push({ digest: d, size: layer.size });
        if (written.has(d)) layer.stream.destroy();
        await blob(d, async () => layer);
      }
      const config = await deps.content.get(image.record.id);
      await blob(image.record.id, async () => ({ stream: config, size: config.length }));
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        config: { mediaType: MEDIA.ociConfig, digest: image.record.id, size: config.length },
        layers: layers.map((l) => ({ mediaType: MEDIA.ociLayer, digest: l.digest, size: l.size })),
      }));
      const mdigest = 'sha256:' + createHash('sha256').update(manifest).digest('hex');
      await blob(mdigest, async () => ({ stream: manifest, size: manifest.length }));
      const descriptor = { mediaType: MEDIA.ociManifest, digest: mdigest, size: manifest.length };
      if (!refs.length) index.push(descriptor);
      for (const r of refs) {
        index.push({ ...descriptor, annotations: { 'io.containerd.image.name': referenceString(r), 'org.opencontainers.image.ref.name': r.tag } });
        (repositories[familiarRepository(r)] ??= {})[r.tag!] = diffIDs.length ? diffIDs[diffIDs.length - 1].slice(7) : '';
      }
      manifestJson.push({
        Config: `blobs/sha256/${image.record.id.slice(7)}`,
        RepoTags: refs.length ? refs.map(familiarString) : null,
        Layers: diffIDs.map((d) => `blobs/sha256/${d.slice(7)}`),
      });
    }
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    const indexBytes = json({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: index });
    await addEntry(p, 'index.json', indexBytes, indexBytes.length);
    const mj = json(manifestJson);
    await addEntry(p, 'manifest.json', mj, mj.length);
    const layout = json({ imageLayoutVersion: '1.0.0' });
    await addEntry(p, 'oci-layout', layout, layout.length);
    if (Object.keys(repositories).length) {
      const repos = json(repositories);
      await addEntry(p, 'repositories', repos, repos.length);
    }
    p.finalize();
  })().catch((err: Error) => p.destroy(err));
  return Readable.from(p as AsyncIterable<Buffer>, { objectMode: false });
}
