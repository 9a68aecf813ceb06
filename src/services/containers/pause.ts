// Pausing and unpausing a container (the cgroup freezer through `runc pause`/`runc resume`), and thawing one a stop signal must reach.
import { ConflictError } from '../../errors';
import type { ContainerContext } from './context';
import type { ContainerRecord } from './record';
import { parseSignal } from './signals';

export async function pauseContainer(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  if (!r.state.Running) throw new ConflictError(`Container ${r.id} is not running`);
  if (r.state.Paused) throw new ConflictError(`Container ${r.id} is already paused`);
  if (r.state.Restarting) throw new ConflictError(`Container ${r.id} is restarting, wait until the container is running`);
  await ctx.deps.runtime.pause(r.id);
  Object.assign(r.state, { Status: 'paused', Paused: true });
  await ctx.save(r);
  ctx.emit(r, 'pause');
}

export async function unpauseContainer(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  if (!r.state.Paused) throw new ConflictError(`Container ${r.id} is not paused`);
  await ctx.deps.runtime.resume(r.id);
  await markUnpaused(ctx, r);
}

/**
 * Docker thaws a paused container after sending it the signal that stops it
 * (SIGKILL, its stop signal, or any signal when it has none), so the signal
 * is delivered; other signals wait for an unpause. `signal` is canonical ("SIGTERM").
 */
export async function thawForSignal(ctx: ContainerContext, r: ContainerRecord, signal: string): Promise<void> {
  if (!r.state.Paused) return;
  const stopSignal = r.config.StopSignal;
  if (stopSignal && signal !== 'SIGKILL' && parseSignal(stopSignal, 'SIGTERM') !== signal) return;
  await ctx.deps.runtime.resume(r.id).catch((err) => ctx.deps.log('warn', `resuming ${r.id}: ${err.message}`));
  if (r.state.Running) await markUnpaused(ctx, r);
}

async function markUnpaused(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  Object.assign(r.state, { Status: 'running', Paused: false });
  await ctx.save(r);
  ctx.emit(r, 'unpause');
}

/** After a daemon restart, runc's word on whether the container is frozen wins over the record's. */
export function adoptPausedState(r: ContainerRecord, runtimeStatus: string): void {
  if (runtimeStatus !== 'paused' && runtimeStatus !== 'running') return;
  const paused = runtimeStatus === 'paused';
  Object.assign(r.state, { Paused: paused, Status: paused ? 'paused' : 'running' });
}
