// One client's attachment to a container's stdio, bound to conmon's attach socket when the container runs.
import type { AttachConnection } from '../../runtime';
import type { AttachOptions, AttachSession } from './index';
import type { DetachWatch } from './stdin-relay';
import { StdioSession } from './stdio-session';

export type PendingAttach = ContainerAttachSession;

/**
 * Buffers stdin written before the socket is bound (attach happens before
 * start in `docker run`), filters the streams the client asked for, and
 * emits 'end' exactly once: when the socket closes, or on detach.
 */
export class ContainerAttachSession extends StdioSession implements AttachSession {
  constructor(opts: AttachOptions, stdinOnce: boolean, tty = false, detachKeys?: DetachWatch) {
    super(opts, tty, stdinOnce && !tty, detachKeys);
  }

  protected listen(conn: AttachConnection): void {
    conn.on('data', (stream: 'stdout' | 'stderr', chunk: Buffer) => {
      if ((stream === 'stdout' && this.opts.stdout) || (stream === 'stderr' && this.opts.stderr)) this.emit('data', stream, chunk);
    });
    conn.on('close', () => this.end());
  }
}
