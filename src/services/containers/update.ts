// `docker update`: new resource limits stored in HostConfig and, for a running container, applied with `runc update`.
import { ConflictError } from '../../errors';
import type { ContainerContext } from './context';
import type { ContainerRecord } from './record';
import { hostResourceFacts, linuxResources, mergeUpdate, type ResourceFacts, type ResourceFields } from './resources';

export async function updateContainer(ctx: ContainerContext, r: ContainerRecord, body: ResourceFields, facts: ResourceFacts = hostResourceFacts()): Promise<{ Warnings: string[] }> {
  if (r.state.Status === 'removing' || r.state.Dead) throw new ConflictError(`Cannot update container ${r.id}: container is marked for removal and cannot be "update"`);
  const { changed, warnings } = mergeUpdate(r.hostConfig, body ?? {}, facts);
  if (r.state.Running) {
    // The whole merged set, so runc sees memory and swap together (v1 needs memsw ≥ memory).
    await ctx.deps.runtime.update(r.id, linuxResources({ ...r.hostConfig, ...changed }, true));
  }
  Object.assign(r.hostConfig, changed);
  await ctx.save(r);
  return { Warnings: warnings };
}
