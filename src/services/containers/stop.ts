// Stopping a container: its stop signal, then SIGKILL once the timeout passes.
import { ConflictError, NotModifiedError } from '../../errors';
import type { ContainerContext } from './context';
import type { ContainerRecord } from './record';
import { thawForSignal } from './pause';
import { parseSignal, signalNumber } from './signals';
import { cancelRestart } from './restart-policy';

const DEFAULT_STOP_TIMEOUT = 10;

/** timeout in seconds; negative waits forever. Resolves once the container has exited. */
export async function stopContainer(ctx: ContainerContext, r: ContainerRecord, opts: { signal?: string; timeout?: number }): Promise<void> {
  if (!r.state.Running) {
    r.manuallyStopped = true;
    if (cancelRestart(ctx, r)) return void (await ctx.save(r));
    throw new NotModifiedError();
  }
  r.manuallyStopped = true;
  const signal = parseSignal(opts.signal || r.config.StopSignal, 'SIGTERM');
  const timeout = opts.timeout ?? r.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT;
  await signalAndWait(ctx, r, signal, timeout);
  ctx.emit(r, 'stop');
}

async function signalAndWait(ctx: ContainerContext, r: ContainerRecord, signal: string, timeout: number): Promise<void> {
  if (signal !== 'SIGKILL') {
    const exited = ctx.nextExit(r.id, timeout < 0 ? -1 : timeout * 1000);
    ctx.emit(r, 'kill', { signal: String(signalNumber(signal)) });
    await ctx.deps.runtime.kill(r.id, signal).catch(() => undefined);
    await thawForSignal(ctx, r, signal);
    if ((await exited) !== undefined || !r.state.Running) return;
  }
  const killed = ctx.nextExit(r.id, -1);
  ctx.emit(r, 'kill', { signal: '9' });
  await ctx.deps.runtime.kill(r.id, 'SIGKILL').catch(() => undefined);
  await thawForSignal(ctx, r, 'SIGKILL');
  if (!r.state.Running) return;
  await killed;
}

export async function killContainer(ctx: ContainerContext, r: ContainerRecord, signal?: string): Promise<void> {
  // A paused container can be killed, as with Docker.
  if (!r.state.Running) throw new ConflictError(`Container ${r.id} is not running`);
  const sig = parseSignal(signal, 'SIGKILL');
  if (sig === 'SIGKILL') r.manuallyStopped = true;
  await ctx.deps.runtime.kill(r.id, sig);
  await thawForSignal(ctx, r, sig);
  ctx.emit(r, 'kill', { signal: String(signalNumber(sig)) });
}
