// Tags and digests pointing at image IDs, persisted as one atomically replaced record.
import type { MetadataStore } from '../../stores/metadata';

interface TagIndex { refs: Record<string, string> }

const KIND = 'repositories';
const ID = 'index';

/** Canonical reference string ("docker.io/library/busybox:latest") → image ID. */
export class TagStore {
  private refs = new Map<string, string>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly metadata: MetadataStore) {}

  async load(): Promise<void> {
    const idx = await this.metadata.get<TagIndex>(KIND, ID);
    this.refs = new Map(Object.entries(idx?.refs ?? {}));
  }

  get(ref: string): string | undefined {
    return this.refs.get(ref);
  }

  /** References pointing at `imageId`, sorted. */
  refsOf(imageId: string): string[] {
    return [...this.refs].filter(([, id]) => id === imageId).map(([r]) => r).sort();
  }

  all(): Array<[string, string]> {
    return [...this.refs];
  }

  async set(ref: string, imageId: string): Promise<void> {
    this.refs.set(ref, imageId);
    await this.persist();
  }

  async delete(ref: string): Promise<boolean> {
    const had = this.refs.delete(ref);
    if (had) await this.persist();
    return had;
  }

  private persist(): Promise<void> {
    // Writes are serialised so an older snapshot never lands after a newer one.
    const snapshot: TagIndex = { refs: Object.fromEntries(this.refs) };
    this.writing = this.writing.catch(() => undefined).then(() => this.metadata.put(KIND, ID, snapshot));
    return this.writing;
  }
}
