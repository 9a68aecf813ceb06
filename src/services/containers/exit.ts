// What happens when a container's process exits: record the code, tear down its sandbox, wake waiters, auto-remove.
import { stat } from 'node:fs/promises';
import type { ContainerContext } from './context';
import { setExited } from './record';
import { releaseMounts } from './mounts';
import { removeContainerFiles } from './remove';
import { scheduleRestart, shouldRestart } from './restart-policy';

/**
 * Called for every exit conmon reports (and for exits found at restore).
 * Idempotent: a second report for a container already marked exited only
 * finishes the teardown.
 */
export async function handleExit(ctx: ContainerContext, id: string, exitCode: number, opts: { removeOnly?: boolean; finishedAt?: Date } = {}): Promise<void> {
  const r = ctx.records.get(id);
  const { deps } = ctx;
  if (!r) {
    await deps.runtime.delete(id, true).catch(() => undefined);
    return;
  }
  if (!opts.removeOnly) {
    await ctx.withLock(id, async () => {
      const wasRunning = r.state.Running;
      // The cgroup's OOM counter is gone once runc deletes the container: read it first.
      const oomKilled = wasRunning && (await deps.runtime.oomKilled(id).catch(() => false));
      // The rootfs mount lives outside the bundle runc deletes: both can go at once.
      const unmounted = deps.host.unmount(r.rootfsPath).catch((err) => deps.log('warn', `unmount ${id}: ${err.message}`));
      await deps.runtime.delete(id, true).catch((err) => deps.log('warn', `runc delete ${id}: ${err.message}`));
      await deps.networks.detach(r).catch((err) => deps.log('warn', `network detach ${id}: ${err.message}`));
      await unmounted;
      if (wasRunning) {
        await releaseMounts(ctx, r);
        setExited(r, exitCode, opts.finishedAt ?? new Date());
        r.state.OOMKilled = oomKilled;
        await ctx.save(r);
        if (oomKilled) ctx.emit(r, 'oom');
        ctx.emit(r, 'die', { exitCode: String(exitCode) });
        if (shouldRestart(r, exitCode)) scheduleRestart(ctx, r);
      }
    });
    ctx.events.emit('exit', id, exitCode);
  }
  if (r.hostConfig.AutoRemove) {
    await ctx.withLock(id, async () => {
      if (!ctx.records.has(id) || r.state.Running) return;
      await removeContainerFiles(ctx, r);
    });
  }
}

/** When conmon wrote the exit file: the container's FinishedAt after a daemon restart. */
export async function exitFileTime(path: string): Promise<Date | undefined> {
  return stat(path).then((s) => s.mtime, () => undefined);
}
