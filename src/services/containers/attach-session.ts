// One client's attachment to a container's stdio, bound to conmon's attach socket when the container runs.
import { EventEmitter } from 'node:events';
import type { AttachConnection } from '../../runtime';
import type { AttachOptions, AttachSession } from './index';
import { StdinRelay, type DetachWatch } from './stdin-relay';

export type PendingAttach = ContainerAttachSession;

/**
 * Buffers stdin written before the socket is bound (attach happens before
 * start in `docker run`), filters the streams the client asked for, and
 * emits 'end' exactly once: when the socket closes, or on detach.
 */
export class ContainerAttachSession extends EventEmitter implements AttachSession {
  private conn?: AttachConnection;
  private readonly stdin: StdinRelay;
  private ended = false;

  /**
   * With a terminal (`tty`), as in Docker: the detach keys end the session,
   * and the client's EOF ends it too without closing the container's stdin.
   */
  constructor(readonly opts: AttachOptions, stdinOnce: boolean, private readonly tty = false, detachKeys?: DetachWatch) {
    super();
    const detach = tty && detachKeys ? { keys: detachKeys.keys, onDetach: () => { detachKeys.onDetach(); this.end(); } } : undefined;
    this.stdin = new StdinRelay(opts.stdin, stdinOnce && !tty, detach);
  }

  bind(conn: AttachConnection): void {
    if (this.ended) {
      conn.close();
      return;
    }
    this.conn = conn;
    conn.on('data', (stream: 'stdout' | 'stderr', chunk: Buffer) => {
      if ((stream === 'stdout' && this.opts.stdout) || (stream === 'stderr' && this.opts.stderr)) this.emit('data', stream, chunk);
    });
    conn.on('close', () => this.end());
    this.stdin.bind(conn);
  }

  write(chunk: Buffer): void {
    this.stdin.write(chunk);
  }

  /** The client's stdin ended: the container's stdin closes too when it was opened for this one client (StdinOnce). */
  closeStdin(): void {
    this.stdin.close();
    if (this.tty && this.opts.stdin) this.end();
  }

  detach(): void {
    this.end();
  }

  /** End the session (socket gone, container failed to start, or client left). Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.conn?.close();
    this.emit('end');
  }
}
