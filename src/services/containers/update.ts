// `docker update`: new resource limits stored in HostConfig and, for a running container, applied with `runc update`.
import { ConflictError } from '../../errors';
import type { ContainerContext } from './context';
import type { ContainerRecord, HostConfig } from './record';
import { validateRestartPolicy } from './restart-policy';
import { hostResourceFacts, linuxResources, mergeUpdate, type ResourceFacts, type ResourceFields } from './resources';

export async function updateContainer(ctx: ContainerContext, r: ContainerRecord, body: ResourceFields, facts: ResourceFacts = hostResourceFacts()): Promise<{ Warnings: string[] }> {
  if (r.state.Status === 'removing' || r.state.Dead) throw new ConflictError(`Cannot update container ${r.id}: container is marked for removal and cannot be "update"`);
  const restartPolicy = updatedRestartPolicy(r, (body ?? {}) as Record<string, unknown>);
  const { changed, warnings } = mergeUpdate(r.hostConfig, body ?? {}, facts);
  if (r.state.Running) {
    // The whole merged set, so runc sees memory and swap together (v1 needs memsw ≥ memory).
    await ctx.deps.runtime.update(r.id, linuxResources({ ...r.hostConfig, ...changed }, true));
  }
  Object.assign(r.hostConfig, changed);
  if (restartPolicy) r.hostConfig.RestartPolicy = restartPolicy;
  await ctx.save(r);
  return { Warnings: warnings };
}

/** `docker update --restart`: a named policy replaces the container's (checked as at create); none leaves it. */
function updatedRestartPolicy(r: ContainerRecord, body: Record<string, unknown>): HostConfig['RestartPolicy'] {
  const p = body.RestartPolicy as HostConfig['RestartPolicy'] | undefined;
  if (!p || typeof p !== 'object' || !p.Name) return undefined;
  validateRestartPolicy({ RestartPolicy: p });
  if (r.hostConfig.AutoRemove && p.Name !== 'no') {
    throw new ConflictError(`Cannot update container ${r.id}: Restart policy cannot be updated because AutoRemove is enabled for the container`);
  }
  return { Name: p.Name, MaximumRetryCount: p.MaximumRetryCount ?? 0 };
}
