// Image manifests and indexes (Docker v2 schema 2 and OCI): media types, validation and platform selection.
import { InvalidParameterError, NotFoundError } from '../errors';
import { isDigest } from '../archive/digest-stream';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

/** What a registry is asked for when a manifest is fetched. */
export const MANIFEST_ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex];

/** Manifests and indexes are small; anything larger is refused before it is read (Docker's limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
}

export type Parsed = { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex };

function checkDescriptor(d: unknown, what: string): Descriptor {
  const x = d as Descriptor;
  if (!x || typeof x !== 'object' || !isDigest(x.digest) || typeof x.size !== 'number' || x.size < 0 || !Number.isSafeInteger(x.size)) {
    throw new InvalidParameterError(`invalid ${what} descriptor in manifest`);
  }
  return { ...x, mediaType: typeof x.mediaType === 'string' ? x.mediaType : '' };
}

/** Parse manifest or index bytes; `contentType` is the registry's header (the body's own mediaType wins). */
export function parseManifest(bytes: Buffer, contentType = ''): Parsed {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new InvalidParameterError(`manifest too big: ${bytes.length} bytes (limit ${MAX_MANIFEST_BYTES})`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidParameterError('invalid manifest: not JSON');
  }
  if (!doc || typeof doc !== 'object') throw new InvalidParameterError('invalid manifest: not an object');
  const mediaType = (typeof doc.mediaType === 'string' && doc.mediaType) || contentType.split(';')[0].trim();
  if (doc.schemaVersion === 1) throw new InvalidParameterError('unsupported manifest: Docker image manifest schema 1 is no longer supported');
  if (doc.schemaVersion !== 2) throw new InvalidParameterError('invalid manifest: unsupported schemaVersion');
  if (Array.isArray(doc.manifests)) {
    const manifests = doc.manifests.map((m) => checkDescriptor(m, 'manifest'));
    return { kind: 'index', index: { schemaVersion: 2, mediaType: mediaType || MEDIA.ociIndex, manifests } };
  }
  if (!Array.isArray(doc.layers) || !doc.config) throw new InvalidParameterError(`invalid manifest: unsupported media type ${mediaType || '(none)'}`);
  return {
    kind: 'manifest',
    manifest: {
      schemaVersion: 2,
      mediaType: mediaType || MEDIA.ociManifest,
      config: checkDescriptor(doc.config, 'config'),
      layers: doc.layers.map((l) => checkDescriptor(l, 'layer')),
    },
  };
}

/** "linux/arm64/v8" → Platform; empty means the host's. */
export function parsePlatform(s: string | undefined, host: Platform): Platform {
  if (!s) return host;
  const [os, architecture, variant] = s.toLowerCase().split('/');
  if (!os || !architecture) throw new InvalidParameterError(`invalid platform: "${s}": expected os/arch[/variant]`);
  return { os, architecture: architecture === 'x86_64' ? 'amd64' : architecture === 'aarch64' ? 'arm64' : architecture, variant: variant || undefined };
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? '/' + p.variant : ''}`;
}

/** Whether an image's platform satisfies the wanted one (a missing variant on either side matches, arm64's v8 is the default). */
export function platformMatches(have: Platform, want: Platform): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  const norm = (p: Platform) => p.variant ?? (p.architecture === 'arm64' ? 'v8' : undefined);
  return !want.variant || !have.variant || norm(have) === norm(want);
}

/** The index entry for `want`, preferring an exact variant; NotFound as Docker words it. */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform && platformMatches(m.platform, want)
    && m.mediaType !== 'application/vnd.in-toto+json');
  const exact = candidates.find((m) => m.platform!.variant === want.variant);
  const hit = exact ?? candidates[0];
  if (!hit) throw new NotFoundError(`no matching manifest for ${platformString(want)} in the manifest list entries`);
  return hit;
}

/** How a layer blob is compressed, from its media type. */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' | 'sniff' {
  if (/zstd$/.test(mediaType)) return 'zstd';
  if (/gzip$/.test(mediaType)) return 'gzip';
  if (mediaType === MEDIA.ociLayer || mediaType === 'application/vnd.docker.image.rootfs.diff.tar') return 'none';
  return 'sniff';
}
