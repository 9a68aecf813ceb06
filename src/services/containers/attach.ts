// Attaching a client to a container's stdio: now if it runs, or at start if it is about to.
import type { ContainerContext } from './context';
import type { AttachOptions, AttachSession } from './index';
import { ContainerAttachSession } from './attach-session';
import type { ContainerRecord } from './record';
import { parseDetachKeys } from './detach-keys';

export async function attachContainer(ctx: ContainerContext, r: ContainerRecord, opts: AttachOptions): Promise<AttachSession> {
  const keys = parseDetachKeys(opts.detachKeys);
  const session = new ContainerAttachSession(opts, r.config.StdinOnce, r.config.Tty, { keys, onDetach: () => ctx.emit(r, 'detach') });
  ctx.emit(r, 'attach');
  if (r.state.Running) {
    session.bind(await ctx.deps.runtime.attach(r.id));
    return session;
  }
  // Not running yet: `docker run` attaches before it starts; bind when start connects to conmon.
  let set = ctx.pendingAttach.get(r.id);
  if (!set) ctx.pendingAttach.set(r.id, (set = new Set()));
  set.add(session);
  session.once('end', () => set!.delete(session));
  return session;
}
