// Docker's JSON-lines progress messages (pull, push, load) and the byte counter that feeds them.
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidParameterError } from '../../errors';
import { humanSize } from '../../units/human';

export interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  /** Plain text (load's "Loaded image: x"). */
  stream?: string;
}

export type Progress = (m: ProgressMessage) => void;

/** Docker's JSONProgress.String() without the time left: "[=====>      ]  1.2MB/3.4MB". */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current).padStart(8);
  const filled = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  return `[${'='.repeat(filled)}>${' '.repeat(50 - filled)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export function progressMessage(status: string, id: string, current: number, total: number): ProgressMessage {
  return { status, id, progressDetail: { current, total }, progress: progressBar(current, total) };
}

const REPORT_EVERY = 512 * 1024;
/** As Docker's progress reader: at most one report per 100 ms besides the last (a 100 MB layer made hundreds). */
const REPORT_INTERVAL_MS = 100;

/**
 * Counts bytes passing through and reports "<status>" progress every 512 KiB
 * (at most every 100 ms) and at the end. With `limit`, more bytes than promised fail the stream (a
 * registry cannot make us store an endless blob).
 */
export class ProgressCounter extends Transform {
  private done = 0;
  private reported = 0;
  private reportedAt = -Infinity;

  constructor(private readonly report: (current: number) => void, private readonly limit?: number) {
    super();
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.done += chunk.length;
    if (this.limit !== undefined && this.done > this.limit) {
      cb(new InvalidParameterError(`blob is larger than its descriptor's ${this.limit} bytes`));
      return;
    }
    if (this.done - this.reported >= REPORT_EVERY && performance.now() - this.reportedAt >= REPORT_INTERVAL_MS) {
      this.reported = this.done;
      this.reportedAt = performance.now();
      this.report(this.done);
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.reported !== this.done) this.report(this.done);
    cb();
  }
}
