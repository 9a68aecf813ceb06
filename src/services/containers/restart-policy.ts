// Restart policies as Docker runs them: which exits restart, the growing back-off, and the restart itself.
import { InvalidParameterError } from '../../errors';
import type { ContainerContext } from './context';
import type { ContainerRecord, HostConfig } from './record';
import { startContainer } from './start';

const POLICIES = new Set(['', 'no', 'always', 'unless-stopped', 'on-failure']);
const INITIAL_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A container that ran this long before exiting starts its back-off afresh. */
const RESET_AFTER_MS = 10_000;

/** Docker's checks on HostConfig.RestartPolicy at create. */
export function validateRestartPolicy(hc: HostConfig): void {
  const p = hc.RestartPolicy ?? {};
  const name = p.Name ?? '';
  if (!POLICIES.has(name)) {
    throw new InvalidParameterError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  const max = p.MaximumRetryCount ?? 0;
  if (max < 0) throw new InvalidParameterError('invalid restart policy: maximum retry count cannot be negative');
  if (max > 0 && name !== 'on-failure') throw new InvalidParameterError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (hc.AutoRemove && name && name !== 'no') throw new InvalidParameterError(`can't create 'AutoRemove' container with restart policy`);
}

/** Whether this exit restarts the container under its policy. */
export function shouldRestart(r: ContainerRecord, exitCode: number): boolean {
  if (r.manuallyStopped) return false;
  const { Name = 'no', MaximumRetryCount = 0 } = r.hostConfig.RestartPolicy ?? {};
  if (Name === 'always' || Name === 'unless-stopped') return true;
  if (Name === 'on-failure') return exitCode !== 0 && (MaximumRetryCount === 0 || r.restartCount < MaximumRetryCount);
  return false;
}

/** Whether the daemon starts this container when it starts. */
export function startsWithDaemon(r: ContainerRecord): boolean {
  const name = r.hostConfig.RestartPolicy?.Name;
  return (name === 'always' || name === 'unless-stopped') && !r.manuallyStopped && !r.state.Running;
}

/** Mark the container restarting and start it again after the back-off; stop/rm during the wait cancel it. */
export function scheduleRestart(ctx: ContainerContext, r: ContainerRecord): void {
  const ran = Date.parse(r.state.FinishedAt) - Date.parse(r.state.StartedAt);
  const previous = ctx.restartDelays.get(r.id);
  const delay = previous === undefined || ran >= RESET_AFTER_MS ? INITIAL_DELAY_MS : Math.min(previous * 2, MAX_DELAY_MS);
  ctx.restartDelays.set(r.id, delay);
  Object.assign(r.state, { Status: 'restarting', Restarting: true });
  void ctx.save(r);
  const timer = setTimeout(() => {
    ctx.restartTimers.delete(r.id);
    void ctx.withLock(r.id, async () => {
      if (!ctx.records.has(r.id) || !r.state.Restarting || r.manuallyStopped) return;
      r.restartCount++;
      try {
        await startContainer(ctx, r);
      } catch (err) {
        ctx.deps.log('warn', `restarting ${r.id}: ${(err as Error).message}`);
      }
    });
  }, delay);
  timer.unref();
  ctx.restartTimers.set(r.id, timer);
}

/** Cancel a pending restart (stop, kill, rm); the container stays exited. Returns whether one was pending. */
export function cancelRestart(ctx: ContainerContext, r: ContainerRecord): boolean {
  const timer = ctx.restartTimers.get(r.id);
  if (timer) clearTimeout(timer);
  ctx.restartTimers.delete(r.id);
  if (!r.state.Restarting) return false;
  Object.assign(r.state, { Status: 'exited', Restarting: false });
  return true;
}
