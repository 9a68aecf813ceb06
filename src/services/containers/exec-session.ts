// One client's attachment to an exec process: output held until the client is wired, stdin forwarded, 'end' after the exit code.
import type { AttachConnection } from '../../runtime';
import type { AttachOptions, ExecSession } from './index';
import { StdioSession } from './stdio-session';

/**
 * The process may write before the API has hijacked the connection, so
 * output is queued until `resume()`. Emits 'data'(stream, chunk) for the
 * streams asked for and 'end' exactly once: after `finish()` (the exit code
 * is known) or on detach.
 */
export class ExecAttachSession extends StdioSession implements ExecSession {
  private queued: Array<['stdout' | 'stderr', Buffer]> = [];
  private flowing = false;
  private finished = false;

  /** With a terminal (`tty`), the detach keys end the session; the client's EOF ends it too, leaving the process's stdin open. */
  constructor(opts: AttachOptions, tty = false, detachKeys?: Buffer) {
    super(opts, tty, !tty, detachKeys ? { keys: detachKeys, onDetach: () => undefined } : undefined);
  }

  protected listen(conn: AttachConnection): void {
    conn.on('data', (stream: 'stdout' | 'stderr', chunk: Buffer) => this.output(stream, chunk));
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

  /** The process is gone and its exit code recorded: end once the queued output is out. */
  finish(): void {
    this.finished = true;
    if (this.flowing) this.end();
  }
}
