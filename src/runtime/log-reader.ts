// Reads conmon's k8s-file container log (`<RFC3339Nano> stdout|stderr F|P <text>`): tail, since/until, follow.
import { watch, promises as fsp, type FSWatcher } from 'node:fs';
import { hasCode } from '../errors';

export interface ReadLogOptions {
  /** Only the last `tail` lines (counted over both streams, as Docker does); undefined or negative: all. */
  tail?: number;
  /** Skip lines written before this instant. */
  since?: Date;
  /** Stop at the first line written after this instant. */
  until?: Date;
  /** Keep reading appended lines until `signal` aborts (what is already written is still delivered). */
  follow?: boolean;
  signal?: AbortSignal;
  stdout?: boolean;
  stderr?: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The timestamp as conmon wrote it (of the line's first fragment). */
  time: string;
  /** The text, ending in "\n" unless the container never finished the line. */
  line: Buffer;
}

interface LogRecord { time: string; stream: 'stdout' | 'stderr'; partial: boolean; text: Buffer }

const CHUNK = 64 * 1024;
const FOLLOW_POLL_MS = 250;
const NL = 0x0a;
const SP = 0x20;

/** Parse one physical log line (without its "\n"); undefined when it is not a k8s-file record. */
export function parseRecord(buf: Buffer): LogRecord | undefined {
  const a = buf.indexOf(SP);
  const b = a < 0 ? -1 : buf.indexOf(SP, a + 1);
  if (b < 0) return undefined;
  let c = buf.indexOf(SP, b + 1);
  if (c < 0) c = buf.length; // "… stdout F" with empty text
  const stream = buf.toString('latin1', a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = buf.toString('latin1', b + 1, c);
  return { time: buf.toString('latin1', 0, a), stream, partial: tag.split(':').includes('P'), text: buf.subarray(Math.min(c + 1, buf.length)) };
}

/** Milliseconds since the epoch plus the sub-millisecond nanoseconds of an RFC3339Nano timestamp. */
function timeOf(time: string): { ms: number; subNs: number } {
  const frac = /\.(\d+)/.exec(time)?.[1] ?? '';
  return { ms: Date.parse(time), subNs: parseInt(frac.slice(3, 9).padEnd(6, '0'), 10) || 0 };
}

/** Byte offset where the last `n` logical lines start, found by reading backwards in chunks. */
export async function tailOffset(fh: fsp.FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let ends = 0; // logical lines seen from the end: F records, plus a trailing unfinished P record
  let lastRecord = true;
  let pos = size;
  let carry = Buffer.alloc(0); // bytes up to a line end whose line start lies further back
  let end = -1; // end (after its newline) of the next line to look at, in buf; -1 until the torn tail is skipped
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const chunk = Buffer.alloc(len);
    await fh.read(chunk, 0, len, pos);
    const buf = Buffer.concat([chunk, carry]); // buf[0] is at file offset pos
    if (end < 0) {
      const i = buf.lastIndexOf(NL); // text after the last newline is a line conmon is still writing
      if (i < 0) { carry = buf; continue; }
      end = i + 1;
    } else {
      end = buf.length;
    }
    for (;;) {
      const nl = end >= 2 ? buf.lastIndexOf(NL, end - 2) : -1;
      if (nl < 0 && pos > 0) { carry = buf.subarray(0, end); break; }
      const rec = parseRecord(buf.subarray(nl + 1, end - 1));
      if (rec) {
        if (!rec.partial || lastRecord) ends++;
        lastRecord = false;
        if (ends > n) return pos + end;
      }
      end = nl + 1;
      if (nl < 0) return 0;
    }
  }
  return 0;
}

/** Iterate the log's lines; in follow mode waits for appended data until the signal aborts. */
export async function* readLog(path: string, opts: ReadLogOptions = {}): AsyncGenerator<LogLine> {
  const want = { stdout: opts.stdout ?? true, stderr: opts.stderr ?? true };
  const since = opts.since?.getTime();
  const until = opts.until?.getTime();
  const signal = opts.signal;
  const follower = opts.follow ? new Follower(path, signal) : undefined;
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await openLog(path, follower);
    if (!fh) return;
    let pos = 0;
    if (opts.tail !== undefined && opts.tail >= 0) pos = await tailOffset(fh, (await fh.stat()).size, opts.tail);
    const pending: { stdout?: Pending; stderr?: Pending } = {};
    let rest = Buffer.alloc(0);
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, CHUNK, pos);
      if (bytesRead === 0) {
        const size = (await fh.stat()).size;
        if (size < pos) { pos = 0; rest = Buffer.alloc(0); continue; } // truncated underneath us: start over
        if (!follower || follower.aborted) break;
        await follower.wait();
        continue; // after an abort, one more read drains what was written meanwhile
      }
      pos += bytesRead;
      const buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, bytesRead)]) : Buffer.from(chunk.subarray(0, bytesRead));
      let start = 0;
      for (let nl = buf.indexOf(NL); nl >= 0; nl = buf.indexOf(NL, start)) {
        const rec = parseRecord(buf.subarray(start, nl));
        start = nl + 1;
        if (!rec) continue;
        const frags = pending[rec.stream];
        if (rec.partial) {
          if (frags) frags.parts.push(rec.text); else pending[rec.stream] = { time: rec.time, parts: [rec.text] };
          continue;
        }
        const entry = joinEntry(rec.stream, frags, rec.time, rec.text);
        delete pending[rec.stream];
        const verdict = filter(entry.time, since, until);
        if (verdict === 'stop') return;
        if (verdict === 'keep' && want[entry.stream]) yield entry;
      }
      rest = Buffer.from(buf.subarray(start));
    }
    // Lines the container never finished (it exited mid-line).
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = pending[stream];
      if (!p) continue;
      const entry = { stream, time: p.time, line: Buffer.concat(p.parts) };
      if (filter(entry.time, since, until) === 'keep' && want[stream]) yield entry;
    }
  } finally {
    follower?.close();
    await fh?.close();
  }
}

interface Pending { time: string; parts: Buffer[] }

/** A finished line: earlier P fragments, the F text, and the newline conmon stripped. */
function joinEntry(stream: 'stdout' | 'stderr', p: Pending | undefined, time: string, text: Buffer): LogLine {
  const parts = p ? [...p.parts, text] : [text];
  parts.push(Buffer.from('\n'));
  return { stream, time: p?.time ?? time, line: Buffer.concat(parts) };
}

function filter(time: string, since?: number, until?: number): 'keep' | 'skip' | 'stop' {
  if (since === undefined && until === undefined) return 'keep';
  const t = timeOf(time);
  if (Number.isNaN(t.ms)) return 'keep';
  if (until !== undefined && (t.ms > until || (t.ms === until && t.subNs > 0))) return 'stop';
  if (since !== undefined && t.ms < since) return 'skip';
  return 'keep';
}

async function openLog(path: string, follower?: Follower): Promise<fsp.FileHandle | undefined> {
  for (;;) {
    try {
      return await fsp.open(path, 'r');
    } catch (err) {
      if (!hasCode(err, 'ENOENT')) throw err;
      // Following a log conmon has not created yet: wait for it.
      if (!follower || follower.aborted) return undefined;
      await follower.wait();
    }
  }
}

/** Wakes a follower on fs.watch events, a slow poll (watch can miss events) or the abort. */
class Follower {
  private watcher?: FSWatcher;
  private wake?: () => void;
  private dirty = false;
  private readonly onAbort = () => this.notify();

  constructor(private readonly path: string, private readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get aborted(): boolean {
    return this.signal?.aborted ?? false;
  }

  private notify(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  wait(): Promise<void> {
    if (!this.watcher) {
      try {
        this.watcher = watch(this.path, () => this.notify());
        this.watcher.on('error', () => { /* poll carries on */ });
      } catch { /* not there yet, or no inotify: poll */ }
    }
    if (this.dirty || this.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.notify(), FOLLOW_POLL_MS);
      this.wake = () => { clearTimeout(timer); this.dirty = false; resolve(); };
    });
  }

  close(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.watcher?.close();
    this.notify();
  }
}
