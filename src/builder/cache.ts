// The build cache: step key → the image that step produced, as durable records so it survives a daemon restart.
import { createHash } from 'node:crypto';
import type { MetadataStore } from '../stores/metadata';

const KIND = 'buildcache';

export interface CacheRecord {
  key: string;
  /** Images this step produced, newest first (a --no-cache or cache-from build can make another). */
  images: string[];
  created: string;
  lastUsed?: string;
}

const MAX_CANDIDATES = 8;

/**
 * A key is the hash of everything a step's result depends on: the parent
 * image ID (which covers its whole config and layers), the instruction after
 * expansion, the build args it can see, and the digest of the files it reads.
 */
export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export class BuildCache {
  constructor(private readonly metadata: MetadataStore) {}

  /** The images recorded for a step, newest first. */
  async get(key: string): Promise<string[]> {
    const r = await this.metadata.get<CacheRecord>(KIND, key);
    return r?.images ?? [];
  }

  async put(key: string, image: string): Promise<void> {
    const old = await this.metadata.get<CacheRecord>(KIND, key);
    const images = [image, ...(old?.images ?? []).filter((i) => i !== image)].slice(0, MAX_CANDIDATES);
    await this.metadata.put(KIND, key, { key, images, created: old?.created ?? new Date().toISOString(), lastUsed: new Date().toISOString() });
  }

  list(): Promise<CacheRecord[]> {
    return this.metadata.list<CacheRecord>(KIND);
  }

  /** Forget every entry (images stay; they go with image prune once nothing names them). */
  async prune(): Promise<CacheRecord[]> {
    const all = await this.list();
    for (const r of all) await this.metadata.delete(KIND, r.key);
    return all;
  }
}
