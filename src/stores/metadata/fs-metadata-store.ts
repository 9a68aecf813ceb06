// The metadata store on a local filesystem: one JSON file per record at <root>/<kind>/<id>.json, replaced atomically.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode, InvalidParameterError, SystemError } from '../../errors';
import { dirEntries } from '../dir-entries';
import type { MetadataStore } from './index';

const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/;
const TMP_MARK = '.tmp-';

export interface FsMetadataStoreOptions {
  /** Told about each record `list` skipped because it could not be read or parsed. */
  onCorrupt?: (kind: string, id: string, err: unknown) => void;
}

export class FsMetadataStore implements MetadataStore {
  constructor(private readonly root: string, private readonly options: FsMetadataStoreOptions = {}) {}

  private dir(kind: string): string {
    if (!NAME_RE.test(kind)) throw new InvalidParameterError(`invalid record kind: ${JSON.stringify(kind).slice(0, 100)}`);
    return join(this.root, kind);
  }

  private file(kind: string, id: string): string {
    const dir = this.dir(kind);
    if (typeof id !== 'string' || !NAME_RE.test(id)) throw new InvalidParameterError(`invalid ${kind} record id: ${JSON.stringify(id).slice(0, 100)}`);
    return join(dir, `${id}.json`);
  }

  async get<T>(kind: string, id: string): Promise<T | undefined> {
    const p = this.file(kind, id);
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (err) {
      if (hasCode(err, 'ENOENT')) return undefined;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new SystemError(`${kind} record ${id} is corrupt: ${(err as Error).message}`, { cause: err });
    }
  }

  async put<T>(kind: string, id: string, value: T, opts: { sync?: boolean } = {}): Promise<void> {
    const p = this.file(kind, id);
    const dir = this.dir(kind);
    await mkdir(dir, { recursive: true });
    // Temp names start with a dot, which no id may, so list() never sees them.
    const tmp = join(dir, `.${id}${TMP_MARK}${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(value));
      if (opts.sync !== false) await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    try {
      await rename(tmp, p);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    if (opts.sync === false) return;
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  async delete(kind: string, id: string): Promise<void> {
    await rm(this.file(kind, id), { force: true });
  }

  async list<T>(kind: string): Promise<T[]> {
    const dir = this.dir(kind);
    const out: T[] = [];
    for (const name of await dirEntries(dir)) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const id = name.slice(0, -'.json'.length);
      try {
        out.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as T);
      } catch (err) {
        this.options.onCorrupt?.(kind, id, err);
      }
    }
    return out;
  }

  /** Ids of every record of a kind. */
  async ids(kind: string): Promise<string[]> {
    const names = await dirEntries(this.dir(kind));
    return names.filter((n) => !n.startsWith('.') && n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  }

  /** Remove temp files left by writes interrupted by a crash (call at daemon start). */
  async cleanup(): Promise<void> {
    for (const kind of await dirEntries(this.root)) {
      if (!NAME_RE.test(kind)) continue;
      const names = await readdir(join(this.root, kind)).catch(() => [] as string[]);
      for (const n of names) if (n.startsWith('.') && n.includes(TMP_MARK)) await rm(join(this.root, kind, n), { force: true });
    }
  }
}
