// The build service over the image, container and snapshot services: one BuildRun per request, one cache for all.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BuildOptions, BuildService } from './index';
import { BUILD_SNAPSHOT_PREFIX, BuildRun, type BuilderDeps } from './build-run';
import { BuildProgress, type ProgressSink } from './progress';

export class LocalBuilder implements BuildService {
  constructor(private readonly deps: BuilderDeps) {}

  /** At start: what crashed builds left in the scratch space (mounts first, then files). */
  async cleanup(): Promise<void> {
    for (const m of (await this.mountsUnderTmp()).sort((a, b) => b.length - a.length)) await this.deps.host.unmount(m).catch(() => undefined);
    // Never delete through a mount that would not go: a layer or a container's files could be under it.
    const stuck = await this.mountsUnderTmp();
    for (const n of await readdir(this.deps.tmpDir).catch(() => [] as string[])) {
      const dir = path.join(this.deps.tmpDir, n);
      if (stuck.some((m) => m === dir || m.startsWith(dir + path.sep))) continue;
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
    for (const snap of await this.deps.snapshots.list()) {
      if (snap.kind === 'active' && snap.name.startsWith(BUILD_SNAPSHOT_PREFIX)) await this.deps.snapshots.remove(snap.name).catch(() => undefined);
    }
  }

  private async mountsUnderTmp(): Promise<string[]> {
    const table = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
    return table.split('\n').map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' ')).filter((m) => m.startsWith(this.deps.tmpDir + path.sep));
  }

  build(context: Readable, opts: BuildOptions, sink: ProgressSink): Promise<string> {
    return new BuildRun(this.deps, opts, new BuildProgress(sink, opts.quiet)).run(context);
  }

  async prune(): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }> {
    const dropped = await this.deps.cache.prune();
    return { CachesDeleted: dropped.map((r) => r.key), SpaceReclaimed: 0 };
  }

  async usage(): Promise<object[]> {
    return (await this.deps.cache.list()).map((r) => ({
      ID: r.key.slice(0, 25), Parent: '', Type: 'regular', Description: `image ${r.images[0] ?? ''}`, InUse: false, Shared: true,
      Size: 0, CreatedAt: r.created, LastUsedAt: r.lastUsed ?? r.created, UsageCount: 1,
    }));
  }
}
