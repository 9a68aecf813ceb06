// The local volume service: records in the metadata store, data under <data-root>/volumes/<name>/_data, driver mounts refcounted by running users.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, InvalidParameterError, NotFoundError, SystemError } from '../../errors';
import type { Host } from '../../host';
import type { MetadataStore } from '../../stores/metadata';
import { directorySize } from '../../stores/snapshots/overlay-snapshotter';
import { labelMatches } from '../label-filter';
import type { EventPublisher } from '../events';
import { KeyedLock } from '../keyed-lock';
import { ANONYMOUS_LABEL, type CreateVolumeOptions, type VolumeRecord, type VolumeService, type VolumeUser } from './index';
import { localMount, validateLocalOptions } from './local-driver';

const KIND = 'volumes';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** A name is a directory name and a record file name (<name>.json): keep it under NAME_MAX. */
const MAX_NAME = 240;
const LIST_FILTERS = new Set(['dangling', 'driver', 'label', 'name']);
const PRUNE_FILTERS = new Set(['label', 'label!', 'all']);

export interface VolumeDeps {
  metadata: MetadataStore;
  host: Host;
  dataRoot: string;
  events?: EventPublisher;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

/** Docker's volume name rule, with its message. */
export function validateVolumeName(name: string): void {
  if (name.length > MAX_NAME) throw new InvalidParameterError(`create ${name.slice(0, 64)}…: volume name is longer than ${MAX_NAME} characters`);
  if (!NAME.test(name)) {
    throw new InvalidParameterError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** Docker shows no labels or options as null. */
function nonEmpty(m: Record<string, string> | null | undefined): Record<string, string> | null {
  return m && Object.keys(m).length ? m : null;
}

function boolFilter(key: string, v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidParameterError(`invalid filter '${key}=${v}'`);
}

export class LocalVolumeService implements VolumeService {
  private readonly records = new Map<string, VolumeRecord>();
  /** Volumes whose driver mount is in place. */
  private readonly mounted = new Set<string>();
  /** Per volume, the containers that acquired it and have not released it (rebuilt from running users after a restart). */
  private readonly holders = new Map<string, Set<string>>();
  private readonly locks = new KeyedLock();
  private users: (name: string) => VolumeUser[] = () => [];

  constructor(private readonly deps: VolumeDeps) {}

  /** Who uses a volume: wired to the container service once both exist. */
  setUsers(fn: (name: string) => VolumeUser[]): void {
    this.users = fn;
  }

  async load(): Promise<void> {
    for (const r of await this.deps.metadata.list<VolumeRecord>(KIND)) this.records.set(r.name, r);
    await mkdir(this.root(), { recursive: true, mode: 0o701 });
    // A create cut short leaves an empty directory without a record: sweep it. Data without a record
    // (an unreadable record, a remove cut short) is left alone: losing it would be worse than keeping it.
    for (const dir of await readdir(this.root())) {
      if (this.records.has(dir)) continue;
      const data = await readdir(path.join(this.root(), dir, '_data')).catch(() => []);
      if (data.length) {
        this.deps.log('warn', `volume directory ${dir} holds data but has no record: left in place`);
        continue;
      }
      await this.removeFiles(dir).catch((err) => this.deps.log('warn', `sweep volume ${dir}: ${err.message}`));
    }
  }

  find(name: string): VolumeRecord | undefined {
    return this.records.get(name);
  }

  async create(opts: CreateVolumeOptions): Promise<object> {
    if (typeof opts !== 'object' || opts === null) throw new InvalidParameterError('invalid volume create body');
    const name = opts.Name || randomBytes(32).toString('hex');
    if (typeof name !== 'string') throw new InvalidParameterError('invalid volume name');
    validateVolumeName(name);
    const driver = opts.Driver || 'local';
    if (driver !== 'local') throw new NotFoundError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    for (const [field, value] of [['Labels', opts.Labels], ['DriverOpts', opts.DriverOpts]] as const) {
      if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) throw new InvalidParameterError(`${field} must be an object of strings`);
    }
    for (const [k, v] of Object.entries(opts.Labels ?? {})) {
      if (typeof v !== 'string') throw new InvalidParameterError(`invalid label value for "${k}"`);
    }
    return this.withLock(name, async () => {
      const existing = this.records.get(name);
      if (existing) return this.view(existing);
      validateLocalOptions(name, opts.DriverOpts);
      const record: VolumeRecord = {
        name, driver: 'local', createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        labels: nonEmpty(opts.Labels), options: nonEmpty(opts.DriverOpts),
      };
      await mkdir(this.dataPath(name), { recursive: true });
      await this.deps.metadata.put(KIND, name, record);
      this.records.set(name, record);
      this.deps.events?.publish('volume', 'create', name, { driver: 'local' });
      return this.view(record);
    });
  }

  async inspect(name: string): Promise<object> {
    return this.view(this.get(name));
  }

  async list(filters: Record<string, string[]>): Promise<{ Volumes: object[]; Warnings: string[] }> {
    for (const k of Object.keys(filters)) if (!LIST_FILTERS.has(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    const dangling = filters.dangling?.map((v) => boolFilter('dangling', v));
    const out = [...this.records.values()].filter((r) => {
      if (dangling?.length && !dangling.every((d) => d === (this.users(r.name).length === 0))) return false;
      if (filters.driver?.length && !filters.driver.includes(r.driver)) return false;
      if (filters.name?.length && !filters.name.some((n) => r.name.includes(n))) return false;
      if (filters.label?.length && !filters.label.every((l) => labelMatches(r.labels ?? {}, l))) return false;
      return true;
    });
    return { Volumes: out.map((r) => this.view(r)), Warnings: [] };
  }

  async remove(name: string, opts: { force: boolean }): Promise<void> {
    const r = this.records.get(name);
    if (!r) {
      if (opts.force) return;
      throw new NotFoundError(`get ${name}: no such volume`);
    }
    await this.withLock(name, async () => {
      const users = this.users(name);
      if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.map((u) => u.id).join(', ')}]`);
      if (!this.records.has(name)) return;
      // The record goes first: a crash after it leaves only files, which nobody can reach.
      this.records.delete(name);
      await this.deps.metadata.delete(KIND, name);
      await this.removeFiles(name);
      this.holders.delete(name);
      this.deps.events?.publish('volume', 'destroy', name, { driver: 'local' });
    });
  }

  async prune(filters: Record<string, string[]>, apiVersion: string): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    for (const k of Object.keys(filters)) if (!PRUNE_FILTERS.has(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    const all = filters.all?.some((v) => boolFilter('all', v)) ?? false;
    const onlyAnonymous = !all && Number(apiVersion.split('.')[1] ?? 0) >= 42;
    const deleted: string[] = [];
    let space = 0;
    for (const r of [...this.records.values()]) {
      const labels = r.labels ?? {};
      if (onlyAnonymous && !(ANONYMOUS_LABEL in labels)) continue;
      if (filters.label?.length && !filters.label.every((l) => labelMatches(labels, l))) continue;
      if (filters['label!']?.some((l) => labelMatches(labels, l))) continue;
      if (this.users(r.name).length) continue;
      const size = await this.size(r);
      try {
        await this.remove(r.name, { force: true });
      } catch (err) {
        if (err instanceof ConflictError) continue;
        throw err;
      }
      deleted.push(r.name);
      space += size;
    }
    return { VolumesDeleted: deleted, SpaceReclaimed: space };
  }

  async usage(): Promise<object[]> {
    const out: object[] = [];
    for (const r of this.records.values()) {
      out.push({ ...this.view(r), UsageData: { Size: await this.size(r), RefCount: this.users(r.name).length } });
    }
    return out;
  }

  acquire(name: string, containerId: string, at?: { destination: string; rw: boolean; propagation: string }): Promise<string> {
    return this.withLock(name, async () => {
      const r = this.get(name);
      const mount = localMount(r.options);
      const target = this.dataPath(name);
      await mkdir(target, { recursive: true });
      if (mount && !this.mounted.has(name)) {
        if (!(await this.isMounted(name))) {
          await this.deps.host.mount([mount], target).catch((err) => {
            throw new InvalidParameterError(`error while mounting volume '${target}': failed to mount local volume: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
          });
        }
        this.mounted.add(name);
      }
      this.holdersOf(name).add(containerId);
      const where: Record<string, string> = at ? { destination: at.destination, propagation: at.propagation, 'read/write': String(at.rw) } : {};
      this.deps.events?.publish('volume', 'mount', name, { container: containerId, ...where, driver: 'local' });
      return target;
    });
  }

  release(name: string, containerId: string): Promise<void> {
    return this.withLock(name, async () => {
      const r = this.records.get(name);
      const holders = this.holdersOf(name);
      if (!r || !holders.delete(containerId)) return;
      this.deps.events?.publish('volume', 'unmount', name, { driver: 'local', container: containerId });
      if (!localMount(r.options) || holders.size) return;
      await this.deps.host.unmount(this.dataPath(name));
      this.mounted.delete(name);
    });
  }

  async reconcile(): Promise<void> {
    for (const r of this.records.values()) {
      const running = this.users(r.name).filter((u) => u.running);
      for (const u of running) this.holdersOf(r.name).add(u.id);
      if (!localMount(r.options) || !(await this.isMounted(r.name))) continue;
      if (running.length) this.mounted.add(r.name);
      else await this.deps.host.unmount(this.dataPath(r.name)).catch((err) => this.deps.log('warn', `unmount volume ${r.name}: ${err.message}`));
    }
  }

  private holdersOf(name: string): Set<string> {
    let set = this.holders.get(name);
    if (!set) this.holders.set(name, (set = new Set()));
    return set;
  }

  private get(name: string): VolumeRecord {
    const r = this.records.get(name);
    if (!r) throw new NotFoundError(`get ${name}: no such volume`);
    return r;
  }

  private view(r: VolumeRecord): object {
    return {
      CreatedAt: r.createdAt, Driver: r.driver, Labels: r.labels, Mountpoint: this.dataPath(r.name),
      Name: r.name, Options: r.options, Scope: 'local',
    };
  }

  private async size(r: VolumeRecord): Promise<number> {
    return directorySize(this.dataPath(r.name)).catch(() => 0);
  }

  private root(): string {
    return path.join(this.deps.dataRoot, 'volumes');
  }

  private dataPath(name: string): string {
    return path.join(this.root(), name, '_data');
  }

  /** Unmount (a bind device must never be deleted through its mount), then delete the volume's directory. */
  private async removeFiles(name: string): Promise<void> {
    if (this.mounted.has(name) || (await this.isMounted(name))) await this.deps.host.unmount(this.dataPath(name));
    this.mounted.delete(name);
    if (await this.isMounted(name)) throw new SystemError(`remove ${name}: ${this.dataPath(name)} is still mounted`);
    await rm(path.join(this.root(), name), { recursive: true, force: true });
  }

  private async isMounted(name: string): Promise<boolean> {
    const target = this.dataPath(name);
    const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
    return mounts.split('\n').some((l) => l.split(' ')[1] === target);
  }

  private withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }
}
