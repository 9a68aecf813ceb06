// The local image service over the content store, the snapshotter and the tag store.
import type { Readable } from 'node:stream';
import { ConflictError, InvalidParameterError, NotFoundError, SystemError } from '../../errors';
import { decompress } from '../../archive/decompress';
import { teeInto } from '../../archive/tee';
import type { BlobInfo, ContentStore } from '../../stores/content';
import type { MetadataStore } from '../../stores/metadata';
import { chainIDs, type Snapshotter } from '../../stores/snapshots';
import { applyChanges } from './changes';
import type { DeleteResponseItem, Filters, ImageService, ImageUsers, ImportOptions, RemoveOptions } from './index';
import { familiarRepository, familiarString, isIdLike, parseNormalizedNamed, parseReference, referenceString } from './reference';
import { TagStore } from './tag-store';
import type { EventPublisher } from '../events';
import type { Image, ImageConfig, ImageRecord } from './types';
import { imageHistory, imageInspect, imageSummary } from './views';
import { labelMatches } from '../label-filter';

const KIND = 'images';

export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', ia32: '386' };
  return map[process.arch] ?? process.arch;
}

export class LocalImageService implements ImageService {
  private readonly records = new Map<string, ImageRecord>();
  private readonly configs = new Map<string, ImageConfig>();
  private readonly tags: TagStore;
  private users: ImageUsers = () => [];
  private layerRelease?: (diffIDs: string[]) => Promise<void>;

  constructor(
    private readonly content: ContentStore,
    private readonly snapshots: Snapshotter,
    private readonly metadata: MetadataStore,
    private readonly events?: EventPublisher,
  ) {
    this.tags = new TagStore(metadata);
  }

  setUsers(users: ImageUsers): void {
    this.users = users;
  }

  setLayerRelease(release: (diffIDs: string[]) => Promise<void>): void {
    this.layerRelease = release;
  }

  async load(): Promise<void> {
    await this.tags.load();
    for (const r of await this.metadata.list<ImageRecord>(KIND)) {
      try {
        this.configs.set(r.id, JSON.parse((await this.content.get(r.id)).toString()));
        this.records.set(r.id, r);
      } catch {
        // A record whose config blob is gone is unusable; leave it out rather than fail start-up.
      }
    }
  }

  /** Resolve a name or ID to an image ID, or undefined. */
  private resolveId(nameOrId: string): string | undefined {
    if (/^sha256:[0-9a-f]{64}$/.test(nameOrId)) return this.records.has(nameOrId) ? nameOrId : undefined;
    let ref;
    try {
      ref = parseNormalizedNamed(nameOrId);
    } catch (err) {
      if (!isIdLike(nameOrId)) throw err;
    }
    if (ref) {
      const id = this.tags.get(referenceString(ref));
      if (id && this.records.has(id)) return id;
      if (ref.digest && !ref.tag) {
        const byDigest = this.tags.get(referenceString(ref));
        if (byDigest) return byDigest;
      }
    }
    if (isIdLike(nameOrId)) {
      const prefix = nameOrId.startsWith('sha256:') ? nameOrId : `sha256:${nameOrId}`;
      const hits = [...this.records.keys()].filter((id) => id.startsWith(prefix));
      if (hits.length === 1) return hits[0];
    }
    return undefined;
  }

  async get(nameOrId: string): Promise<Image> {
    const id = this.resolveId(nameOrId);
    if (!id) throw new NotFoundError(`No such image: ${nameOrId}`);
    return { record: this.records.get(id)!, config: this.configs.get(id)! };
  }

  refsOf(imageId: string): string[] {
    return this.tags.refsOf(imageId).map((r) => familiarString(parseReference(r)));
  }

  async list(opts: { all?: boolean; filters?: Filters }): Promise<object[]> {
    const f = opts.filters ?? {};
    const before = f.before?.[0] ? (await this.get(f.before[0])).config.created ?? '' : undefined;
    const since = f.since?.[0] ? (await this.get(f.since[0])).config.created ?? '' : undefined;
    const out: object[] = [];
    for (const [id, record] of this.records) {
      const config = this.configs.get(id)!;
      const refs = this.tags.refsOf(id).map((r) => parseReference(r));
      const tagged = refs.filter((r) => r.tag).map(familiarString);
      const digests = refs.filter((r) => r.digest).map((r) => `${familiarRepository(r)}@${r.digest}`);
      if (f.dangling?.length) {
        const want = f.dangling[0] === 'true' || f.dangling[0] === '1';
        if (want !== (tagged.length === 0)) continue;
      }
      if (f.reference?.length && !f.reference.some((pat) => tagged.some((t) => matchReference(pat, t)))) continue;
      if (f.label?.length && !f.label.every((l) => labelMatches(config.config?.Labels ?? {}, l))) continue;
      if (before !== undefined && !((config.created ?? '') < before)) continue;
      if (since !== undefined && !((config.created ?? '') > since)) continue;
      if (!opts.all && tagged.length === 0 && this.hasChildren(id)) continue;
      out.push(imageSummary(record, config, tagged, digests));
    }
    return out.sort((a, b) => (b as { Created: number }).Created - (a as { Created: number }).Created);
  }

  private hasChildren(id: string): boolean {
    return [...this.records.values()].some((r) => r.parent === id);
  }

  async inspect(nameOrId: string): Promise<object> {
    const { record, config } = await this.get(nameOrId);
    const refs = this.tags.refsOf(record.id).map((r) => parseReference(r));
    const lowers = record.chainID ? await this.lowerDirs(config) : [];
    return imageInspect(record, config, refs.filter((r) => r.tag).map(familiarString),
      refs.filter((r) => r.digest).map((r) => `${familiarRepository(r)}@${r.digest}`), lowers);
  }

  private async lowerDirs(config: ImageConfig): Promise<string[]> {
    return chainIDs(config.rootfs.diff_ids).reverse().map((c) => this.snapshots.path(c));
  }

  async history(nameOrId: string): Promise<object[]> {
    const { record, config } = await this.get(nameOrId);
    const sizes = await Promise.all(chainIDs(config.rootfs.diff_ids).map((c) => this.snapshots.usage(c).catch(() => 0)));
    const ancestry: Array<{ id: string; tags: string[] }> = [];
    const rows = config.history?.length || config.rootfs.diff_ids.length;
    for (let r: ImageRecord | undefined = record; r && ancestry.length < rows; r = r.parent ? this.records.get(r.parent) : undefined) {
      ancestry.push({ id: r.id, tags: this.refsOf(r.id) });
    }
    return imageHistory(config, sizes, ancestry);
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const { record } = await this.get(source);
    const ref = parseReference(tag ? `${repo}:${tag}` : repo);
    if (ref.digest) throw new InvalidParameterError('refusing to create a tag with a digest reference');
    if (!ref.tag) ref.tag = 'latest';
    await this.tags.set(referenceString(ref), record.id);
    this.events?.publish('image', 'tag', record.id, { name: familiarString(ref) });
    record.lastTagTime = new Date().toISOString();
    await this.metadata.put(KIND, record.id.slice(7), record);
  }

  async remove(nameOrId: string, opts: RemoveOptions): Promise<DeleteResponseItem[]> {
    const id = this.resolveId(nameOrId);
    if (!id) throw new NotFoundError(`No such image: ${nameOrId}`);
    const short = id.slice(7, 19);
    const users = this.users(id);
    const refs = this.tags.refsOf(id);
    const byReference = !isIdLike(nameOrId) || refs.includes(referenceString(parseNormalizedNamedSafe(nameOrId)));
    const out: DeleteResponseItem[] = [];
    if (byReference && !/^sha256:/.test(nameOrId)) {
      const ref = referenceString(parseNormalizedNamed(nameOrId));
      // Digest references (repo@sha256:…) go with the last tag, as Docker's rmi does.
      const tagsLeft = refs.filter((r) => r !== ref && !r.includes('@')).length;
      if (tagsLeft > 0 || (users.length && opts.force)) {
        return [await this.untag(ref, id)];
      }
      if (users.length) {
        throw new ConflictError(`conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${short}`);
      }
      out.push(await this.untag(ref, id));
      for (const r of refs) if (r !== ref && r.includes('@')) out.push(await this.untag(r, id));
      const parent = this.records.get(id)?.parent;
      await this.deleteImage(id, out);
      if (!opts.noprune) await this.deleteUntaggedParents(parent, out);
      return out;
    }
    const running = users.find((u) => u.running);
    if (running) throw new ConflictError(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
    if (!opts.force && refs.length > 1) throw new ConflictError(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
    if (!opts.force && users.length) throw new ConflictError(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${users[0].id.slice(0, 12)}`);
    if (this.hasChildren(id)) throw new ConflictError(`conflict: unable to delete ${short} (cannot be forced) - image has dependent child images`);
    for (const r of refs) out.push(await this.untag(r, id));
    if (users.length) return out;
    const parent = this.records.get(id)?.parent;
    await this.deleteImage(id, out);
    if (!opts.noprune) await this.deleteUntaggedParents(parent, out);
    return out;
  }

  /** As Docker's rmi: parents (a build's intermediate images) go too while untagged, unused and childless. */
  private async deleteUntaggedParents(parent: string | undefined, out: DeleteResponseItem[]): Promise<void> {
    for (let id = parent; id && this.records.has(id);) {
      if (this.tags.refsOf(id).length || this.users(id).length || this.hasChildren(id)) return;
      const next = this.records.get(id)!.parent;
      await this.deleteImage(id, out);
      id = next;
    }
  }

  /** Drop one reference (canonical form) and say so, as the API and the events do. */
  private async untag(ref: string, id: string): Promise<DeleteResponseItem> {
    await this.tags.delete(ref);
    const name = familiarString(parseReference(ref));
    this.events?.publish('image', 'untag', id, { name });
    return { Untagged: name };
  }

  /** Delete record first, then blobs and layers nobody else uses. */
  private async deleteImage(id: string, out: DeleteResponseItem[]): Promise<void> {
    const record = this.records.get(id)!;
    const config = this.configs.get(id)!;
    this.records.delete(id);
    this.configs.delete(id);
    await this.metadata.delete(KIND, id.slice(7));
    await this.content.delete(id);
    if (record.manifest) await this.content.delete(record.manifest);
    // Layer blobs are named by their diffIDs: drop those no remaining image lists.
    const kept = new Set([...this.configs.values()].flatMap((c) => c.rootfs.diff_ids));
    for (const d of config.rootfs.diff_ids) if (!kept.has(d)) await this.content.delete(d);
    await this.layerRelease?.(config.rootfs.diff_ids.filter((d) => !kept.has(d)));
    out.push({ Deleted: id });
    this.events?.publish('image', 'delete', id, { name: id });
    if (record.chainID) await this.releaseLayers();
  }

  /** Remove committed snapshots that no image's chain needs and no snapshot sits on. */
  private async releaseLayers(): Promise<void> {
    const needed = new Set<string>();
    for (const c of this.configs.values()) for (const ch of chainIDs(c.rootfs.diff_ids)) needed.add(ch);
    const all = await this.snapshots.list();
    // Top-down: a layer whose children are gone can go in the next pass.
    let removed = true;
    const gone = new Set<string>();
    while (removed) {
      removed = false;
      for (const s of all) {
        if (s.kind !== 'committed' || needed.has(s.name) || gone.has(s.name)) continue;
        const hasChild = all.some((o) => o.parent === s.name && !gone.has(o.name));
        if (hasChild) continue;
        await this.snapshots.remove(s.name).catch(() => undefined);
        gone.add(s.name);
        removed = true;
      }
    }
  }

  async prune(filters: Filters): Promise<{ ImagesDeleted: DeleteResponseItem[]; SpaceReclaimed: number }> {
    const danglingOnly = !(filters.dangling?.[0] === 'false' || filters.dangling?.[0] === '0');
    const deleted: DeleteResponseItem[] = [];
    let space = 0;
    for (const [id, record] of [...this.records]) {
      if (danglingOnly && this.tags.refsOf(id).length) continue;
      if (this.users(id).length || this.hasChildren(id)) continue;
      const config = this.configs.get(id)!;
      if (filters.label?.length && !filters.label.every((l) => labelMatches(config.config?.Labels ?? {}, l))) continue;
      for (const r of this.tags.refsOf(id)) deleted.push(await this.untag(r, id));
      await this.deleteImage(id, deleted);
      space += record.size;
    }
    return { ImagesDeleted: deleted, SpaceReclaimed: space };
  }

  async importImage(source: Readable, opts: ImportOptions): Promise<string> {
    const tagRef = opts.repo ? parseReference(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo) : undefined;
    if (tagRef?.digest) throw new InvalidParameterError('cannot import with a digest reference');
    const runConfig = applyChanges({}, opts.changes);
    // The uncompressed layer goes to the content store (its digest is the diffID) and is unpacked at once.
    const [blob, layer] = await teeInto(decompress(source),
      (s) => this.content.ingest(s, undefined, opts.signal),
      (s) => this.snapshots.applyLayer(undefined, s, undefined, opts.signal));
    if (blob.digest !== layer.diffID) throw new SystemError(`layer digest ${blob.digest} differs from its diffID ${layer.diffID}`);
    const now = new Date().toISOString();
    const config: ImageConfig = {
      created: now,
      architecture: hostArchitecture(),
      os: 'linux',
      config: runConfig,
      rootfs: { type: 'layers', diff_ids: [layer.diffID] },
      history: [{ created: now, created_by: '', comment: opts.message || 'Imported from -' }],
      ...(opts.message ? { comment: opts.message } : {}),
    };
    const tags = tagRef ? [referenceString({ ...tagRef, tag: tagRef.tag ?? 'latest' })] : [];
    const id = await this.createImage(config, { tags, layers: [blob] });
    this.events?.publish('image', 'import', id, { name: id });
    return id;
  }

  /** An OCI manifest over the config and the uncompressed layer blobs; its digest goes in the record. */
  private async writeManifest(config: BlobInfo, layers: BlobInfo[]): Promise<string> {
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.size })),
    };
    return (await this.content.put(JSON.stringify(manifest))).digest;
  }

  async createImage(config: ImageConfig, opts: { parent?: string; tags?: string[]; layers?: BlobInfo[] } = {}): Promise<string> {
    return this.storeImage(Buffer.from(JSON.stringify(config)), opts);
  }

  async adoptParent(imageId: string, parent: string): Promise<void> {
    const record = this.records.get(imageId);
    if (!record) throw new NotFoundError(`No such image: ${imageId}`);
    if (!this.records.has(parent)) throw new NotFoundError(`No such image: ${parent}`);
    if (record.parent || imageId === parent) return;
    record.parent = parent;
    await this.metadata.put(KIND, imageId.slice(7), record);
  }

  async addReference(imageId: string, ref: string): Promise<void> {
    if (!this.records.has(imageId)) throw new NotFoundError(`No such image: ${imageId}`);
    await this.tags.set(ref, imageId);
  }

  async storeImage(rawConfig: Buffer, opts: { parent?: string; tags?: string[]; layers?: BlobInfo[] } = {}): Promise<string> {
    const config = JSON.parse(rawConfig.toString('utf8')) as ImageConfig;
    const chain = chainIDs(config.rootfs.diff_ids);
    let size = 0;
    for (const c of chain) {
      if (!(await this.snapshots.hasLayer(c))) throw new NotFoundError(`layer ${c} is not unpacked`);
      size += await this.snapshots.usage(c).catch(() => 0);
    }
    const blob = await this.content.put(rawConfig);
    const record: ImageRecord = { id: blob.digest, chainID: chain[chain.length - 1], size, parent: opts.parent };
    if (opts.layers && opts.layers.length === chain.length) record.manifest = await this.writeManifest(blob, opts.layers);
    if (opts.tags?.length) record.lastTagTime = new Date().toISOString();
    await this.metadata.put(KIND, blob.digest.slice(7), record);
    this.records.set(blob.digest, record);
    this.configs.set(blob.digest, config);
    for (const t of opts.tags ?? []) await this.tags.set(t, blob.digest);
    return blob.digest;
  }
}

function parseNormalizedNamedSafe(s: string) {
  try {
    return parseNormalizedNamed(s);
  } catch {
    return { domain: '', path: '' };
  }
}

/** `reference=busybox`, `reference=busy*:lat*` as Docker matches familiar names. */
function matchReference(pattern: string, familiar: string): boolean {
  const re = (p: string) => new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
  const repo = familiar.slice(0, familiar.lastIndexOf(':'));
  return re(pattern).test(familiar) || re(pattern).test(repo);
}
