// One client's attachment to an exec process: output held until the client is wired, stdin forwarded, 'end' after the exit code.
import { EventEmitter } from 'node:events';
import type { AttachConnection } from '../../runtime';
import type { AttachOptions, ExecSession } from './index';
import { StdinRelay } from './stdin-relay';

/**
 * The process may write before the API has hijacked the connection, so
 * output is queued until `resume()`. Emits 'data'(stream, chunk) for the
 * streams asked for and 'end' exactly once: after `finish()` (the exit code
 * is known) or on detach.
 */
export class ExecAttachSession extends EventEmitter implements ExecSession {
  private conn?: AttachConnection;
  private queued: Array<['stdout' | 'stderr', Buffer]> = [];
  private readonly stdin: StdinRelay;
  private flowing = false;
  private finished = false;
  private ended = false;

  /** With a terminal (`tty`), as in Docker: the detach keys end the session, and so does the client's EOF, leaving the process's stdin open. */
  constructor(readonly opts: AttachOptions, private readonly tty = false, detachKeys?: Buffer) {
    super();
    const detach = tty && detachKeys ? { keys: detachKeys, onDetach: () => this.end() } : undefined;
    this.stdin = new StdinRelay(opts.stdin, !tty, detach);
  }

  bind(conn: AttachConnection): void {
    if (this.ended) {
      conn.close();
      return;
    }
    this.conn = conn;
    conn.on('data', (stream: 'stdout' | 'stderr', chunk: Buffer) => this.output(stream, chunk));
    this.stdin.bind(conn);
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
    this.stdin.write(chunk);
  }

  /** The client's stdin ended: so does the process's. */
  closeStdin(): void {
    this.stdin.close();
    if (this.tty && this.opts.stdin) this.end();
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
