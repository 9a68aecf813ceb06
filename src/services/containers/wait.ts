// Waiting for a container: until it is not running, until its next exit, or until it is removed.
import type { ContainerContext } from './context';
import type { WaitCondition } from './index';
import type { ContainerRecord } from './record';

export type WaitResult = { StatusCode: number; Error?: { Message: string } };

function result(r: ContainerRecord, code = r.state.ExitCode): WaitResult {
  return r.state.Error ? { StatusCode: code, Error: { Message: r.state.Error } } : { StatusCode: code };
}

export function waitContainer(ctx: ContainerContext, r: ContainerRecord, condition: WaitCondition, signal: AbortSignal): Promise<WaitResult> {
  if (condition === 'not-running' && !r.state.Running) return Promise.resolve(result(r));
  return new Promise((resolve, reject) => {
    let exitCode: number | undefined;
    const cleanup = () => {
      ctx.events.off('exit', onExit);
      ctx.events.off('removed', onRemoved);
      signal.removeEventListener('abort', onAbort);
    };
    const onExit = (id: string, code: number) => {
      if (id !== r.id) return;
      exitCode = code;
      if (condition === 'removed') return;
      cleanup();
      resolve(result(r, code));
    };
    const onRemoved = (id: string) => {
      if (id !== r.id) return;
      cleanup();
      resolve(result(r, exitCode ?? r.state.ExitCode));
    };
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    ctx.events.on('exit', onExit);
    ctx.events.on('removed', onRemoved);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
