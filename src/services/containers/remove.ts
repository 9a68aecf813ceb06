// Removing a container: refuse while running unless forced; record first, then snapshot and files.
import { rm, rmdir } from 'node:fs/promises';
import { ConflictError } from '../../errors';
import type { ContainerContext } from './context';
import type { ContainerRecord } from './record';
import { stopContainer } from './stop';
import { cancelRestart } from './restart-policy';
import { removeAnonymousVolumes } from './mounts';

export async function removeContainer(ctx: ContainerContext, r: ContainerRecord, opts: { force: boolean; volumes?: boolean }): Promise<void> {
  if (r.state.Restarting && !opts.force) {
    throw new ConflictError(`cannot remove container "${r.name}": container is restarting: stop the container before removing or force remove`);
  }
  cancelRestart(ctx, r);
  if (r.state.Running) {
    if (!opts.force) {
      throw new ConflictError(`cannot remove container "${r.name}": container is running: stop the container before removing or force remove`);
    }
    await stopContainer(ctx, r, { signal: 'SIGKILL', timeout: -1 }).catch(() => undefined);
  }
  await ctx.withLock(r.id, () => removeContainerFiles(ctx, r, opts.volumes));
}

/** Delete the record (so the container is gone at once), then its snapshot, logs and /etc files (and anonymous volumes with -v or --rm); wake `removed` waiters. */
export async function removeContainerFiles(ctx: ContainerContext, r: ContainerRecord, volumes = false): Promise<void> {
  if (!ctx.records.has(r.id)) return;
  r.state.Status = 'removing';
  await ctx.forget(r);
  const { deps } = ctx;
  await deps.runtime.delete(r.id, true).catch(() => undefined);
  await deps.host.unmount(r.rootfsPath).catch(() => undefined);
  await rmdir(r.rootfsPath).catch(() => undefined);
  await deps.snapshots.remove(r.id).catch((err) => deps.log('warn', `remove snapshot ${r.id}: ${err.message}`));
  await rm(ctx.containerDir(r.id), { recursive: true, force: true });
  if (volumes || r.hostConfig.AutoRemove) await removeAnonymousVolumes(ctx, r);
  ctx.events.emit('removed', r.id);
  ctx.emit(r, 'destroy');
}
