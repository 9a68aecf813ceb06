// One client's attachment to an exec process: output held until the client is wired, stdin forwarded, 'end' after the exit code.
import { EventEmitter } from 'node:events';
import type { AttachConnection } from '../../runtime';
import type { AttachOptions, ExecSession } from './index';

/**
 * The process may write before the API has hijacked the connection, so
 * output is queued until `resume()`. Emits 'data'(stream, chunk) for the
 * streams asked for and 'end' exactly once: after `finish()` (the exit code
 * is known) or on detach.
 */
export class ExecAttachSession extends EventEmitter implements ExecSession {
  private conn?: AttachConnection;
  private queued: Array<['stdout' | 'stderr', Buffer]> = [];
  private stdinQueued: Buffer[] = [];
  private flowing = false;
  private stdinClosed = false;
  private finished = false;
  private ended = false;

  constructor(readonly opts: AttachOptions) {
    super();
  }

  bind(conn: AttachConnection): void {
    if (this.ended) {
      conn.close();
      return;
    }
    this.conn = conn;
    conn.on('data', (stream: 'stdout' | 'stderr', chunk: Buffer) => this.output(stream, chunk));
    for (const b of this.stdinQueued) conn.write(b);
    this.stdinQueued = [];
    if (this.stdinClosed) conn.closeStdin();
  }

  /** Output that is not the process's own (the runtime's complaint when it cannot start). */
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.ended) return;
    if ((stream === 'stdout' && !this.opts.stdout) || (stream === 'stderr' && !this.opts.stderr)) return;
    if (this.flowing) this.emit('data', stream, chunk);
    else this.queued.push([stream, chunk]);
  }

  resume(): void {
    if (this.flowing) return;
    this.flowing = true;
    for (const [stream, chunk] of this.queued.splice(0)) this.emit('data', stream, chunk);
    if (this.finished) this.end();
  }

  write(chunk: Buffer): void {
    if (!this.opts.stdin || this.stdinClosed) return;
    if (this.conn) this.conn.write(chunk);
    else this.stdinQueued.push(chunk);
  }

  /** The client's stdin ended: so does the process's. */
  closeStdin(): void {
    if (!this.opts.stdin || this.stdinClosed) return;
    this.stdinClosed = true;
    this.conn?.closeStdin();
  }

  detach(): void {
    this.end();
  }

  /** The process is gone and its exit code recorded: end once the queued output is out. */
  finish(): void {
    this.finished = true;
    if (this.flowing) this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.conn?.close();
    this.emit('end');
  }
}
