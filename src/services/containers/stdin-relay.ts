// A client's stdin on its way to a process: queued until the runtime connection exists, then forwarded; its end passed on once.
import type { AttachConnection } from '../../runtime';

export class StdinRelay {
  private conn?: AttachConnection;
  private queued: Buffer[] = [];
  private closed = false;

  /**
   * `enabled`: the client asked for stdin (otherwise its bytes are dropped).
   * `closesProcessStdin`: the client's EOF closes the process's stdin (exec,
   * or a container whose stdin was opened for this one client, StdinOnce).
   */
  constructor(private readonly enabled: boolean, private readonly closesProcessStdin: boolean) {}

  bind(conn: AttachConnection): void {
    this.conn = conn;
    for (const b of this.queued) conn.write(b);
    this.queued = [];
    if (this.closed && this.closesProcessStdin) conn.closeStdin();
  }

  write(chunk: Buffer): void {
    if (!this.enabled || this.closed) return;
    if (this.conn) this.conn.write(chunk);
    else this.queued.push(chunk);
  }

  close(): void {
    if (!this.enabled || this.closed) return;
    this.closed = true;
    if (this.closesProcessStdin) this.conn?.closeStdin();
  }
}
