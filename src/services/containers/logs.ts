// Reading a container's log (conmon's k8s-file), following it until the container exits or the client leaves.
import { readLog } from '../../runtime/log-reader';
import type { ContainerContext } from './context';
import type { LogEntry, LogOptions } from './index';
import type { ContainerRecord } from './record';

export async function* containerLogs(ctx: ContainerContext, r: ContainerRecord, opts: LogOptions): AsyncIterable<LogEntry> {
  const follow = opts.follow && r.state.Running;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  // conmon has flushed everything once the exit is recorded; a short grace lets the reader catch the last lines.
  const onExit = (id: string) => { if (id === r.id) setTimeout(() => stop.abort(), 100); };
  if (follow) ctx.events.on('exit', onExit);
  try {
    yield* readLog(r.logPath, {
      tail: opts.tail, since: opts.since, until: opts.until, follow, signal: stop.signal,
      stdout: opts.stdout, stderr: opts.stderr,
    });
  } finally {
    ctx.events.off('exit', onExit);
    opts.signal.removeEventListener('abort', onAbort);
  }
}
