// The build service over the image, container and snapshot services: one BuildRun per request, one cache for all.
import type { Readable } from 'node:stream';
import type { BuildOptions, BuildService } from './index';
import { BuildRun, type BuilderDeps } from './build-run';
import { BuildProgress, type ProgressSink } from './progress';

export class LocalBuilder implements BuildService {
  constructor(private readonly deps: BuilderDeps) {}

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
