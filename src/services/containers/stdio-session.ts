// What a container attach and an exec attach share: the client's stdin relayed to the process, and one 'end'.
import { EventEmitter } from 'node:events';
import type { AttachConnection } from '../../runtime';
import type { AttachOptions } from './index';
import { StdinRelay, type DetachWatch } from './stdin-relay';

/**
 * With a terminal (`tty`), as in Docker: the detach keys end the session, and
 * the client's EOF ends it too without closing the process's stdin.
 */
export abstract class StdioSession extends EventEmitter {
  protected conn?: AttachConnection;
  protected readonly stdin: StdinRelay;
  protected ended = false;

  constructor(readonly opts: AttachOptions, protected readonly tty: boolean, closesProcessStdin: boolean, detachKeys?: DetachWatch) {
    super();
    const detach = tty && detachKeys ? { keys: detachKeys.keys, onDetach: () => { detachKeys.onDetach(); this.end(); } } : undefined;
    this.stdin = new StdinRelay(opts.stdin, closesProcessStdin, detach);
  }

  /** Wire the runtime's connection: its output to `listen`, the client's stdin to it. */
  bind(conn: AttachConnection): void {
    if (this.ended) {
      conn.close();
      return;
    }
    this.conn = conn;
    this.listen(conn);
    this.stdin.bind(conn);
  }

  protected abstract listen(conn: AttachConnection): void;

  write(chunk: Buffer): void {
    this.stdin.write(chunk);
  }

  /** The client's stdin ended: so does the process's, unless a terminal keeps it open (see StdinRelay). */
  closeStdin(): void {
    this.stdin.close();
    if (this.tty && this.opts.stdin) this.end();
  }

  detach(): void {
    this.end();
  }

  /** End the session once: close the runtime connection and emit 'end'. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.conn?.close();
    this.emit('end');
  }
}
