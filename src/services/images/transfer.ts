// The image transfer service: pull, push, save, load, registry login and distribution inspect, over the shared deps.
import type { Readable } from 'node:stream';
import type { AuthConfig } from '../../distribution/auth';
import { resolveEndpoint } from '../../distribution/endpoint';
import { parseManifest } from '../../distribution/manifest';
import { RegistryClient } from '../../distribution/registry-client';
import { InvalidParameterError } from '../../errors';
import { loadImages } from './load';
import type { Progress } from './progress';
import { pullImage, pullReference } from './pull';
import { pullAllTags } from './pull-all-tags';
import { pushImage, pushReferences } from './push';
import { familiarString, parseNormalizedNamed, parseReference } from './reference';
import { planSave, saveImages } from './save';
import { MAX_CONFIG_BYTES, type TransferDeps } from './transfer-deps';

/** Moving images in and out: registries (pull, push, login, inspect) and archive files (save, load). */
export interface ImageTransfer {
  /** Pull `fromImage` (`tag` may be a tag or a digest; neither anywhere: every tag); returns the (last) image ID. */
  pull(fromImage: string, tag: string | undefined, opts: { platform?: string; auth?: AuthConfig; progress: Progress; signal?: AbortSignal }): Promise<string>;
  /** Push `name` (every tag of the repository when neither `name` nor `tag` has one). */
  push(name: string, tag: string | undefined, opts: { auth?: AuthConfig; progress: Progress; signal?: AbortSignal }): Promise<void>;
  /** Resolve the names (NotFound before any byte), then stream the archive. */
  save(names: string[]): Promise<Readable>;
  load(source: Readable, progress: Progress, signal?: AbortSignal): Promise<string[]>;
  /** Check credentials against a registry (POST /auth). */
  login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }>;
  /** GET /distribution/{name}/json: the descriptor and platforms a reference names on its registry. */
  inspect(name: string, auth?: AuthConfig): Promise<object>;
}

export class RegistryImageTransfer implements ImageTransfer {
  constructor(private readonly deps: TransferDeps) {}

  async pull(fromImage: string, tag: string | undefined, opts: Parameters<ImageTransfer['pull']>[2]): Promise<string> {
    const named = parseReference(fromImage);
    // The API's rule, as dockerd's: a repository with no tag or digest anywhere means every tag.
    if (!tag && !named.tag && !named.digest) return (await pullAllTags(this.deps, named, opts)).at(-1)!;
    return pullImage(this.deps, pullReference(fromImage, tag), opts);
  }

  async push(name: string, tag: string | undefined, opts: Parameters<ImageTransfer['push']>[2]): Promise<void> {
    for (const ref of await pushReferences(this.deps, name, tag)) await pushImage(this.deps, ref, opts);
  }

  async save(names: string[]): Promise<Readable> {
    if (!names.length) throw new InvalidParameterError('no images given to save');
    return saveImages(this.deps, await planSave(this.deps, names));
  }

  load(source: Readable, progress: Progress, signal?: AbortSignal): Promise<string[]> {
    return loadImages(this.deps, source, progress, signal);
  }

  async login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
    const server = (auth.serveraddress || 'docker.io').replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const domain = server === 'index.docker.io' ? 'docker.io' : server;
    await new RegistryClient(resolveEndpoint(domain, this.deps.registries), [], auth).ping();
    return { Status: 'Login Succeeded', IdentityToken: '' };
  }

  async inspect(name: string, auth?: AuthConfig): Promise<object> {
    const ref = parseNormalizedNamed(name);
    const client = new RegistryClient(resolveEndpoint(ref.domain, this.deps.registries), [`repository:${ref.path}:pull`], auth);
    const m = await client.getManifest(ref.path, ref.digest ?? ref.tag!, `manifest for ${familiarString(ref)} not found`);
    const parsed = parseManifest(m.bytes, m.mediaType);
    const mediaType = parsed.kind === 'index' ? parsed.index.mediaType : parsed.manifest.mediaType;
    let platforms: object[];
    if (parsed.kind === 'index') platforms = parsed.index.manifests.filter((d) => d.platform).map((d) => d.platform!);
    else {
      const cfg = JSON.parse((await client.getSmallBlob(ref.path, parsed.manifest.config.digest, MAX_CONFIG_BYTES)).toString('utf8'));
      platforms = [{ architecture: cfg.architecture, os: cfg.os, ...(cfg.variant ? { variant: cfg.variant } : {}) }];
    }
    return { Descriptor: { mediaType, digest: m.digest, size: m.bytes.length }, Platforms: platforms };
  }
}
