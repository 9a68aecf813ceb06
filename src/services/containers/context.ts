// What every container verb shares: the dependencies, the in-memory records (persisted on change), locks and exit events.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { InvalidParameterError, NotFoundError } from '../../errors';
import type { Host } from '../../host';
import type { ContainerRuntime } from '../../runtime';
import type { MetadataStore } from '../../stores/metadata';
import type { Snapshotter } from '../../stores/snapshots';
import type { ImageService } from '../images';
import type { ContainerRecord, MountPoint } from './record';
import type { PendingAttach } from './attach-session';
import type { NetworkAttacher } from './network';
import type { EventPublisher } from '../events';
import type { VolumeService } from '../volumes';
import { KeyedLock } from '../keyed-lock';

export interface ContainerDeps {
  images: ImageService;
  snapshots: Snapshotter;
  metadata: MetadataStore;
  runtime: ContainerRuntime;
  host: Host;
  networks: NetworkAttacher & { readonly bridgeAvailable: boolean };
  dataRoot: string;
  execRoot: string;
  /** RLIMIT_NOFILE for containers; never above the daemon's own hard limit. */
  nofile: { soft: number; hard: number };
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  events?: EventPublisher;
  /** Named and anonymous volumes; without it, volume mounts are NotImplemented. */
  volumes?: Pick<VolumeService, 'find' | 'create' | 'inspect' | 'acquire' | 'release' | 'remove'>;
}

const KIND = 'containers';

/** Docker's attributes on a container event: the container's labels, its image and name, then `extra`. */
export function containerEventAttributes(r: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...r.config.Labels, image: r.config.Image, name: r.name.slice(1), ...extra };
}

export class ContainerContext {
  readonly records = new Map<string, ContainerRecord>();
  /** 'exit' (id, code) and 'removed' (id) events for waiters; 'action' (record, action) for every container event published. */
  readonly events = new EventEmitter();
  /** Attach sessions waiting for a container to start. */
  readonly pendingAttach = new Map<string, Set<PendingAttach>>();
  private readonly locks = new KeyedLock();
  /** Restart policy state: the last back-off per container and the pending restart timers. */
  readonly restartDelays = new Map<string, number>();
  readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Mounts of containers being created, not yet recorded: their volumes are in use already (prune must not take them). */
  readonly pendingMounts = new Map<string, MountPoint[]>();

  constructor(readonly deps: ContainerDeps) {
    this.events.setMaxListeners(0);
  }

  async loadAll(): Promise<ContainerRecord[]> {
    const all = await this.deps.metadata.list<ContainerRecord>(KIND);
    for (const r of all) this.records.set(r.id, r);
    return all;
  }

  save(r: ContainerRecord): Promise<void> {
    // A build step's container is durable once created (so a crash leaks no snapshot); its later states need no fsync.
    const sync = !r.volatileRootfs || r.state.Status === 'created';
    return this.deps.metadata.put(KIND, r.id, r, { sync });
  }

  async forget(r: ContainerRecord): Promise<void> {
    this.records.delete(r.id);
    await this.deps.metadata.delete(KIND, r.id);
  }

  /** Full ID, exact name, or unique ID prefix, as Docker looks containers up. */
  get(idOrName: string): ContainerRecord {
    const exact = this.records.get(idOrName);
    if (exact) return exact;
    const name = idOrName.startsWith('/') ? idOrName : `/${idOrName}`;
    for (const r of this.records.values()) if (r.name === name) return r;
    if (/^[0-9a-f]+$/.test(idOrName)) {
      const hits = [...this.records.values()].filter((r) => r.id.startsWith(idOrName));
      if (hits.length === 1) return hits[0];
      if (hits.length > 1) throw new InvalidParameterError(`Multiple IDs found with provided prefix: ${idOrName}`);
    }
    throw new NotFoundError(`No such container: ${idOrName}`);
  }

  nameTaken(name: string): ContainerRecord | undefined {
    for (const r of this.records.values()) if (r.name === name) return r;
    return undefined;
  }

  /** Run `fn` after every earlier operation on the same container has settled. */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(id, fn);
  }

  /** Publish a container event with Docker's attributes: image, name and the container's labels. */
  emit(r: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.deps.events?.publish('container', action, r.id, containerEventAttributes(r, extra));
    this.events.emit('action', r, action);
  }

  /** The container's cgroup, relative to each controller's root. */
  cgroupsPath(id: string): string {
    return `/berth/${id}`;
  }

  containerDir(id: string): string {
    return path.join(this.deps.dataRoot, 'containers', id);
  }

  rootfsDir(id: string): string {
    return path.join(this.deps.execRoot, 'rootfs', id);
  }

  /** Resolves with the exit code when `id` next exits, or undefined after `ms` (no limit when ms < 0). */
  nextExit(id: string, ms: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const onExit = (exitId: string, code: number) => {
        if (exitId !== id) return;
        done(code);
      };
      const timer = ms >= 0 ? setTimeout(() => done(undefined), ms) : undefined;
      const done = (code: number | undefined) => {
        if (timer) clearTimeout(timer);
        this.events.off('exit', onExit);
        resolve(code);
      };
      this.events.on('exit', onExit);
    });
  }
}
