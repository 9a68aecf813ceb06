// One client's attachment to a container's stdio, bound to conmon's attach socket when the container runs.
import { EventEmitter } from 'node:events';
import type { AttachConnection } from '../../runtime';
import type { AttachOptions, AttachSession } from './index';

export type PendingAttach = ContainerAttachSession;

/**
 * Buffers stdin written before the socket is bound (attach happens before
 * start in `docker run`), filters the streams the client asked for, and
 * emits 'end' exactly once: when the socket closes, or on detach.
 */
export class ContainerAttachSession extends EventEmitter implements AttachSession {
  private conn?: AttachConnection;
  private queued: Buffer[] = [];
  private stdinClosed = false;
  private ended = false;

  constructor(readonly opts: AttachOptions, private readonly stdinOnce: boolean) {
    super();
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
    for (const b of this.queued) conn.write(b);
    this.queued = [];
    if (this.stdinClosed && this.stdinOnce) conn.closeStdin();
  }

  write(chunk: Buffer): void {
    if (!this.opts.stdin || this.stdinClosed) return;
    if (this.conn) this.conn.write(chunk);
    else this.queued.push(chunk);
  }

  /** The client's stdin ended: the container's stdin closes too when it was opened for this one client (StdinOnce). */
  closeStdin(): void {
    if (!this.opts.stdin || this.stdinClosed) return;
    this.stdinClosed = true;
    if (this.stdinOnce && this.conn) this.conn.closeStdin();
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
