// The container service: looks containers up and hands each verb to its own module, serialised per container.
import { ConflictError, NotModifiedError } from '../../errors';
import { attachContainer } from './attach';
import { LocalArchiveService, type ArchiveService } from './archive';
import { ContainerContext, type ContainerDeps } from './context';
import { createContainer } from './create';
import { handleExit } from './exit';
import type { AttachOptions, AttachSession, ContainerService, CreateBody, Filters, LogEntry, LogOptions, WaitCondition } from './index';
import { listContainers } from './list';
import { containerLogs } from './logs';
import { normalizeName } from './names';
import type { ContainerRecord } from './record';
import { removeContainer } from './remove';
import { volumeUsers } from './mounts';
import { pauseContainer, unpauseContainer } from './pause';
import { HealthMonitor, type HealthProbe } from './health';
import { restoreContainers } from './restore';
import { startContainer } from './start';
import { containerStats } from './stats';
import { killContainer, stopContainer } from './stop';
import { topContainer } from './top';
import { updateContainer } from './update';
import { inspectView } from './views';
import { waitContainer } from './wait';

export class LocalContainerService implements ContainerService {
  private readonly ctx: ContainerContext;
  private readonly health: HealthMonitor;

  constructor(deps: ContainerDeps) {
    this.ctx = new ContainerContext(deps);
    this.health = new HealthMonitor(this.ctx);
    deps.runtime.onExit((id, code) => {
      handleExit(this.ctx, id, code).catch((err) => deps.log('error', `handling exit of ${id}: ${err.message}`));
    });
  }

  async load(): Promise<void> {
    await restoreContainers(this.ctx);
    await this.ctx.deps.runtime.rescan();
    this.health.armAll();
  }

  setHealthProbe(probe: HealthProbe): void {
    this.health.setProbe(probe);
  }

  get(idOrName: string): ContainerRecord {
    return this.ctx.get(idOrName);
  }

  create(name: string | undefined, body: CreateBody, opts?: { volatileRootfs?: boolean }) {
    return createContainer(this.ctx, name, body, opts);
  }

  start(idOrName: string): Promise<void> {
    const r = this.ctx.get(idOrName);
    return this.ctx.withLock(r.id, () => startContainer(this.ctx, r));
  }

  stop(idOrName: string, opts: { signal?: string; timeout?: number }): Promise<void> {
    return stopContainer(this.ctx, this.ctx.get(idOrName), opts);
  }

  async restart(idOrName: string, opts: { signal?: string; timeout?: number }): Promise<void> {
    const r = this.ctx.get(idOrName);
    await stopContainer(this.ctx, r, opts).catch((err) => {
      if (!(err instanceof NotModifiedError)) throw err;
    });
    await this.ctx.withLock(r.id, () => startContainer(this.ctx, r));
    this.ctx.emit(r, 'restart');
  }

  kill(idOrName: string, signal?: string): Promise<void> {
    return killContainer(this.ctx, this.ctx.get(idOrName), signal);
  }

  announce(idOrName: string, action: string, extra: Record<string, string> = {}): void {
    this.ctx.emit(this.ctx.get(idOrName), action, extra);
  }

  pause(idOrName: string): Promise<void> {
    const r = this.ctx.get(idOrName);
    return this.ctx.withLock(r.id, () => pauseContainer(this.ctx, r));
  }

  unpause(idOrName: string): Promise<void> {
    const r = this.ctx.get(idOrName);
    return this.ctx.withLock(r.id, () => unpauseContainer(this.ctx, r));
  }

  remove(idOrName: string, opts: { force: boolean; volumes: boolean }): Promise<void> {
    return removeContainer(this.ctx, this.ctx.get(idOrName), opts);
  }

  wait(idOrName: string, condition: WaitCondition, signal: AbortSignal) {
    return waitContainer(this.ctx, this.ctx.get(idOrName), condition, signal);
  }

  attach(idOrName: string, opts: AttachOptions): Promise<AttachSession> {
    return attachContainer(this.ctx, this.ctx.get(idOrName), opts);
  }

  logs(idOrName: string, opts: LogOptions): AsyncIterable<LogEntry> {
    return containerLogs(this.ctx, this.ctx.get(idOrName), opts);
  }

  async resize(idOrName: string, height: number, width: number): Promise<void> {
    const r = this.ctx.get(idOrName);
    if (!r.state.Running) throw new ConflictError(`Container ${r.id} is not running`);
    await this.ctx.deps.runtime.resize(r.id, height, width);
  }

  async inspect(idOrName: string): Promise<object> {
    const r = this.ctx.get(idOrName);
    return inspectView(r);
  }

  list(opts: { all: boolean; limit?: number; size?: boolean; filters: Filters }): Promise<object[]> {
    return listContainers(this.ctx, opts);
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const r = this.ctx.get(idOrName);
    const name = normalizeName(newName);
    if (name === r.name) throw new ConflictError(`Renaming a container with the same name as its current name`);
    const holder = this.ctx.nameTaken(name);
    if (holder) throw new ConflictError(`Conflict. The container name "${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    const oldName = r.name.slice(1);
    r.name = name;
    await this.ctx.save(r);
    this.ctx.emit(r, 'rename', { oldName });
  }

  top(idOrName: string, psArgs: string) {
    return topContainer(this.ctx, this.ctx.get(idOrName), psArgs);
  }

  async prune(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    const deleted: string[] = [];
    let space = 0;
    const until = filters.until?.[0] ? parseUntil(filters.until[0]) : undefined;
    for (const r of [...this.ctx.records.values()]) {
      if (r.state.Running) continue;
      if (until !== undefined && Date.parse(r.created) >= until) continue;
      if (filters.label?.length && !filters.label.every((l) => {
        const [k, v] = l.split('=', 2);
        return v === undefined ? k in r.config.Labels : r.config.Labels[k] === v;
      })) continue;
      space += await this.ctx.deps.snapshots.usage(r.id).catch(() => 0);
      await removeContainer(this.ctx, r, { force: false });
      deleted.push(r.id);
    }
    return { ContainersDeleted: deleted, SpaceReclaimed: space };
  }

  stats(idOrName: string, opts: { stream: boolean; oneShot: boolean; signal: AbortSignal }): AsyncIterable<object> {
    return containerStats(this.ctx, this.ctx.get(idOrName), opts);
  }

  update(idOrName: string, body: Record<string, unknown>): Promise<{ Warnings: string[] }> {
    const r = this.ctx.get(idOrName);
    return this.ctx.withLock(r.id, () => updateContainer(this.ctx, r, body));
  }

  /** The live records, for the network service's directory of containers. */
  records(): ContainerRecord[] {
    return [...this.ctx.records.values()];
  }

  saveRecord(r: ContainerRecord): Promise<void> {
    return this.ctx.save(r);
  }

  /** The archive API (docker cp) over the same records and locks. */
  archive(): ArchiveService {
    return new LocalArchiveService(this.ctx);
  }

  imageUsers(imageId: string): Array<{ id: string; running: boolean }> {
    return [...this.ctx.records.values()].filter((r) => r.image === imageId).map((r) => ({ id: r.id, running: r.state.Running }));
  }

  volumeUsers(name: string): Array<{ id: string; running: boolean }> {
    return volumeUsers(this.ctx, name);
  }

  async close(): Promise<void> {
    this.health.close();
    await this.ctx.deps.runtime.close();
  }
}

/** `until` as a Unix timestamp, an RFC 3339 date, or a Go duration such as "10m" before now. */
function parseUntil(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const d = /^(\d+)(s|m|h)$/.exec(s);
  if (d) return Date.now() - Number(d[1]) * { s: 1000, m: 60000, h: 3600000 }[d[2] as 's' | 'm' | 'h'];
  return Date.parse(s);
}
