// After a daemon restart: re-adopt running containers from their conmon/runc state, settle those that exited meanwhile.
import path from 'node:path';
import type { ContainerContext } from './context';
import { exitFileTime, handleExit } from './exit';
import { startsWithDaemon } from './restart-policy';
import { startContainer } from './start';
import { adoptPausedState } from './pause';

/** Exit code Docker reports for a container whose exit could not be observed. */
const LOST_EXIT_CODE = 255;

export async function restoreContainers(ctx: ContainerContext): Promise<void> {
  const { runtime } = ctx.deps;
  const records = await ctx.loadAll();
  for (const r of records) {
    if (r.state.Status === 'removing') {
      // Removal was interrupted: finish it.
      ctx.records.set(r.id, r);
      await handleExit(ctx, r.id, r.state.ExitCode, { removeOnly: true }).catch(() => undefined);
      continue;
    }
    if (!r.state.Running) continue;
    const state = await runtime.state(r.id).catch(() => undefined);
    if (state && state.status !== 'stopped') {
      r.state.Pid = state.pid;
      let status = state.status;
      // Frozen by a copy (docker cp) when the daemon went away: thaw it; a `docker pause` (in the record) stays paused.
      if (status === 'paused' && !r.state.Paused) {
        await runtime.resume(r.id).catch((err) => ctx.deps.log('warn', `resuming ${r.id}: ${err.message}`));
        status = 'running';
      }
      adoptPausedState(r, status);
      continue;
    }
    const code = await runtime.exitCode(r.id);
    const finishedAt = await exitFileTime(path.join(ctx.deps.execRoot, 'exits', r.id));
    await handleExit(ctx, r.id, code ?? LOST_EXIT_CODE, { finishedAt });
  }
  // `always` and `unless-stopped` containers come back with the daemon.
  for (const r of ctx.records.values()) {
    if (!startsWithDaemon(r) || ctx.restartTimers.has(r.id)) continue;
    await ctx.withLock(r.id, () => startContainer(ctx, r)).catch((err) => ctx.deps.log('warn', `starting ${r.id}: ${err.message}`));
  }
}
