// A client's stdin on its way to a process: queued until the runtime connection exists, then forwarded; its end passed on once.
import type { AttachConnection } from '../../runtime';
import { DetachKeyFilter } from '../../units/detach-keys';

/** A terminal client's detach sequence, and what to do when it is typed. */
export interface DetachWatch {
  keys: Buffer;
  onDetach(): void;
}

export class StdinRelay {
  private conn?: AttachConnection;
  private queued: Buffer[] = [];
  private closed = false;
  private readonly scanner?: DetachKeyFilter;

  /**
   * `enabled`: the client asked for stdin (otherwise its bytes are dropped).
   * `closesProcessStdin`: the client's EOF closes the process's stdin (exec,
   * or a container whose stdin was opened for this one client, StdinOnce).
   */
  constructor(private readonly enabled: boolean, private readonly closesProcessStdin: boolean, private readonly detach?: DetachWatch) {
    if (detach) this.scanner = new DetachKeyFilter(detach.keys);
  }

  bind(conn: AttachConnection): void {
    this.conn = conn;
    for (const b of this.queued) conn.write(b);
    this.queued = [];
    if (this.closed && this.closesProcessStdin) conn.closeStdin();
  }

  write(chunk: Buffer): void {
    if (!this.enabled || this.closed) return;
    const { forward, detach } = this.scanner ? this.scanner.filter(chunk) : { forward: chunk, detach: false };
    if (forward.length) {
      if (this.conn) this.conn.write(forward);
      else this.queued.push(forward);
    }
    if (detach) {
      this.closed = true;
      this.detach!.onDetach();
    }
  }

  close(): void {
    if (!this.enabled || this.closed) return;
    this.closed = true;
    if (this.closesProcessStdin) this.conn?.closeStdin();
  }
}
