// Load: a docker-archive tar (manifest.json) or an OCI image layout (index.json) into images, refusing hostile entries.
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { decompress } from '../../archive/decompress';
import { isDigest } from '../../archive/digest-stream';
import { InvalidParameterError } from '../../errors';
import { MEDIA, parseManifest, selectPlatform, type Descriptor, type ImageManifest } from '../../distribution/manifest';
import { chainIDs } from '../../stores/snapshots';
import { hostArchitecture } from './image-service';
import type { Progress } from './progress';
import { familiarString, parseNormalizedNamed, parseReference, referenceString } from './reference';
import { MAX_CONFIG_BYTES, type TransferDeps } from './transfer-deps';
import type { ImageConfig } from './types';
import { unpackLayer } from './unpack';

/** Metadata files read into memory are small; a larger one is not metadata, and all of them together are bounded too. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;
const MAX_METADATA_TOTAL = 64 * 1024 * 1024;
const METADATA = /^(manifest\.json|index\.json|repositories|oci-layout|[0-9a-f]{64}\.json)$/;

interface Archive {
  /** Archive path → blob digest in the content store. */
  blobs: Map<string, string>;
  /** Archive path → small file contents. */
  files: Map<string, Buffer>;
  /** Symlink path → cleaned target path (the legacy format links shared layer.tar files). */
  links: Map<string, string>;
  /** Blobs this load added to the content store (removed again unless an image uses them). */
  fresh: Set<string>;
}

/** A tar entry name as a clean relative path; anything absolute or climbing out is refused. */
function entryPath(name: string): string {
  const n = name.replace(/\/+$/, '');
  if (n.startsWith('/') || n.split('/').includes('..')) throw new InvalidParameterError(`invalid archive: entry ${JSON.stringify(name)} points outside the archive`);
  return posix.normalize(n).replace(/^\.\//, '');
}

async function readArchive(deps: TransferDeps, a: Archive, source: Readable, signal?: AbortSignal): Promise<void> {
  const ex = extract();
  let metadataBytes = 0;
  const piping = pipeline(decompress(source), ex, signal ? { signal } : {});
  piping.catch(() => undefined);
  try {
    for await (const entry of ex) {
      const h = entry.header;
      const path = entryPath(h.name);
      if (h.type === 'symlink') {
        const target = posix.join(posix.dirname(path), h.linkname ?? '');
        a.links.set(path, entryPath(target));
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        const named = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
        if (!named && METADATA.test(posix.basename(path)) && (h.size ?? 0) <= MAX_METADATA_BYTES) {
          metadataBytes += h.size ?? 0;
          if (metadataBytes > MAX_METADATA_TOTAL) throw new InvalidParameterError(`invalid archive: more than ${MAX_METADATA_TOTAL} bytes of metadata files`);
          const chunks: Buffer[] = [];
          for await (const c of entry) chunks.push(c as Buffer);
          a.files.set(path, Buffer.concat(chunks));
          continue;
        }
        // Only blobs and legacy layer tars are stored; any other file is no part of an image.
        if (!named && posix.basename(path) !== 'layer.tar') {
          entry.resume();
          continue;
        }
        const expected = named ? `sha256:${named[1]}` : undefined;
        const existed = expected ? !!(await deps.content.stat(expected)) : true;
        const info = await deps.content.ingest(Readable.from(entry as AsyncIterable<Buffer>, { objectMode: false }), expected, signal);
        if (!existed) a.fresh.add(info.digest);
        a.blobs.set(path, info.digest);
        continue;
      }
      entry.resume();
    }
  } catch (err) {
    ex.destroy(err as Error);
    throw err;
  }
  await piping;
}

function resolvePath(a: Archive, path: string): string {
  let p = entryPath(path);
  for (let hops = 0; a.links.has(p) && hops < 8; hops++) p = a.links.get(p)!;
  return p;
}

async function smallFile(deps: TransferDeps, a: Archive, path: string): Promise<Buffer | undefined> {
  const p = resolvePath(a, path);
  const f = a.files.get(p);
  if (f) return f;
  const digest = a.blobs.get(p);
  if (!digest) return undefined;
  const st = await deps.content.stat(digest);
  if (st && st.size > MAX_CONFIG_BYTES) throw new InvalidParameterError(`invalid archive: ${path} is too big`);
  return deps.content.get(digest);
}

function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new InvalidParameterError(`invalid archive: ${what} is not valid JSON`);
  }
}

interface LoadTarget {
  config: Buffer;
  layers: Descriptor[];
  tags: string[];
}

async function fromManifestJson(deps: TransferDeps, a: Archive, bytes: Buffer): Promise<LoadTarget[]> {
  const entries = parseJson<Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>>(bytes, 'manifest.json');
  if (!Array.isArray(entries)) throw new InvalidParameterError('invalid archive: manifest.json is not a list');
  const out: LoadTarget[] = [];
  for (const e of entries) {
    if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers)) throw new InvalidParameterError('invalid archive: manifest.json entry without Config or Layers');
    const config = await smallFile(deps, a, e.Config);
    if (!config) throw new InvalidParameterError(`invalid archive: ${e.Config} is missing`);
    const layers = e.Layers.map((l) => {
      const digest = a.blobs.get(resolvePath(a, String(l)));
      if (!digest) throw new InvalidParameterError(`invalid archive: layer ${l} is missing`);
      return { digest, size: 0, mediaType: MEDIA.ociLayer };
    });
    const tags = (e.RepoTags ?? []).map((t) => referenceString(parseNormalizedNamed(String(t))));
    out.push({ config, layers, tags });
  }
  return out;
}

async function fromOciLayout(deps: TransferDeps, a: Archive, bytes: Buffer): Promise<LoadTarget[]> {
  const blob = async (d: Descriptor) => {
    const b = await smallFile(deps, a, `blobs/sha256/${d.digest.slice(7)}`);
    if (!b) throw new InvalidParameterError(`invalid archive: blob ${d.digest} is missing`);
    return b;
  };
  const idx = parseManifest(bytes, MEDIA.ociIndex);
  if (idx.kind !== 'index') throw new InvalidParameterError('invalid archive: index.json is not an image index');
  const out: LoadTarget[] = [];
  for (const d of idx.index.manifests) {
    let parsed = parseManifest(await blob(d), d.mediaType);
    if (parsed.kind === 'index') parsed = parseManifest(await blob(selectPlatform(parsed.index, { os: 'linux', architecture: hostArchitecture() })));
    if (parsed.kind !== 'manifest') throw new InvalidParameterError('invalid archive: nested index too deep');
    const m: ImageManifest = parsed.manifest;
    const tags: string[] = [];
    const name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
    if (name && /[/:]/.test(name)) {
      try { tags.push(referenceString(parseNormalizedNamed(name))); } catch { /* a bare OCI tag names nothing here */ }
    }
    for (const l of m.layers) if (!a.blobs.has(`blobs/sha256/${l.digest.slice(7)}`)) throw new InvalidParameterError(`invalid archive: layer ${l.digest} is missing`);
    out.push({ config: await blob(m.config), layers: m.layers, tags });
  }
  return out;
}

/** Load every image of the archive; reports "Loaded image: …" lines as Docker does and returns them. */
export async function loadImages(deps: TransferDeps, source: Readable, progress: Progress, signal?: AbortSignal): Promise<string[]> {
  const a: Archive = { blobs: new Map(), files: new Map(), links: new Map(), fresh: new Set() };
  const used = new Set<string>();
  try {
    return await loadArchive(deps, a, used, source, progress, signal);
  } finally {
    for (const d of a.fresh) if (!used.has(d)) await deps.content.delete(d);
  }
}

async function loadArchive(deps: TransferDeps, a: Archive, used: Set<string>, source: Readable, progress: Progress, signal?: AbortSignal): Promise<string[]> {
  await readArchive(deps, a, source, signal);
  const manifestJson = a.files.get('manifest.json');
  const indexJson = a.files.get('index.json');
  let targets: LoadTarget[];
  if (manifestJson) targets = await fromManifestJson(deps, a, manifestJson);
  else if (indexJson) targets = await fromOciLayout(deps, a, indexJson);
  else throw new InvalidParameterError('invalid archive: neither manifest.json nor index.json found (not a docker save or OCI layout tar)');
  const loaded: string[] = [];
  for (const t of targets) {
    const config = parseJson<ImageConfig>(t.config, 'image config');
    const diffIDs = config.rootfs?.diff_ids;
    if (!Array.isArray(diffIDs) || diffIDs.length !== t.layers.length || !diffIDs.every(isDigest)) {
      throw new InvalidParameterError('invalid archive: the image config and the manifest list different layers');
    }
    const chain = chainIDs(diffIDs);
    for (let i = 0; i < diffIDs.length; i++) {
      const st = await deps.content.stat(t.layers[i].digest);
      await unpackLayer(deps, i ? chain[i - 1] : undefined, chain[i], diffIDs[i], { ...t.layers[i], size: st?.size ?? t.layers[i].size }, [], undefined, signal);
    }
    for (const d of [...diffIDs, ...t.layers.map((l) => l.digest)]) used.add(d);
    const plain = await Promise.all(diffIDs.map((d) => deps.content.stat(d)));
    const id = await deps.images.storeImage(t.config, { tags: t.tags, layers: plain.every(Boolean) ? plain as Array<{ digest: string; size: number }> : undefined });
    used.add(id);
    const names = t.tags.map((r) => familiarString(parseReference(r)));
    for (const n of names) loaded.push(`Loaded image: ${n}`);
    if (!names.length) loaded.push(`Loaded image ID: ${id}`);
    deps.events?.publish('image', 'load', id, { name: names[0] ?? id });
  }
  for (const line of loaded) progress({ stream: `${line}\n` });
  return loaded;
}
