// The build cache: step key → the image that step produced, as durable records so it survives a daemon restart.
import { createHash } from 'node:crypto';
import type { MetadataStore } from '../stores/metadata';

const KIND = 'buildcache';

export interface CacheRecord {
  key: string;
  image: string;
  created: string;
  lastUsed?: string;
}

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

  async get(key: string): Promise<string | undefined> {
    const r = await this.metadata.get<CacheRecord>(KIND, key);
    return r?.image;
  }

  async put(key: string, image: string): Promise<void> {
    await this.metadata.put(KIND, key, { key, image, created: new Date().toISOString() });
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
