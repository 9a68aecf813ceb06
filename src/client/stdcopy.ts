// Docker's stdcopy framing of non-TTY attach/logs streams: [stream, 0, 0, 0, uint32 BE length] + payload.
import { Writable } from 'node:stream';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
/** Stream byte 3: the daemon reports an error in-band (docker's systemErr). */
export const SYSTEMERR = 3;

export interface DemuxSinks {
  stdout: (chunk: Buffer) => void;
  stderr: (chunk: Buffer) => void;
  /** In-band daemon error (stream 3); default: to stderr. */
  systemErr?: (chunk: Buffer) => void;
}

/**
 * Incremental demultiplexer: feed it arbitrary chunk boundaries, it calls the sinks once per complete
 * frame payload (large frames are delivered as they arrive, in pieces).
 */
export class StdcopyDemuxer {
  private header = Buffer.alloc(0);
  private remaining = 0;
  private stream = STDOUT;
  constructor(private readonly sinks: DemuxSinks) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining === 0) {
        const need = 8 - this.header.length;
        const take = chunk.subarray(pos, pos + need);
        this.header = this.header.length ? Buffer.concat([this.header, take]) : Buffer.from(take);
        pos += take.length;
        if (this.header.length < 8) return;
        this.stream = this.header[0];
        this.remaining = this.header.readUInt32BE(4);
        this.header = Buffer.alloc(0);
        continue;
      }
      const piece = chunk.subarray(pos, pos + this.remaining);
      pos += piece.length;
      this.remaining -= piece.length;
      this.deliver(piece);
    }
  }

  /** True when the input so far ended on a frame boundary. */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.header.length === 0;
  }

  private deliver(piece: Buffer): void {
    if (this.stream === STDERR) this.sinks.stderr(piece);
    else if (this.stream === SYSTEMERR) (this.sinks.systemErr ?? this.sinks.stderr)(piece);
    else this.sinks.stdout(piece);
  }
}

/** Frame one payload for stream `stream` (used by tests and fakes). */
export function frame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Demultiplex a whole buffer into stdout and stderr text (for tests and small logs). */
export function demuxBuffer(buf: Buffer): { stdout: Buffer; stderr: Buffer } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  new StdcopyDemuxer({ stdout: (c) => out.push(c), stderr: (c) => err.push(c) }).push(buf);
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

/** A Writable that demultiplexes into two Writables. */
export function demuxWritable(stdout: Writable, stderr: Writable): Writable {
  const d = new StdcopyDemuxer({ stdout: (c) => stdout.write(c), stderr: (c) => stderr.write(c) });
  return new Writable({ write(chunk: Buffer, _enc, cb) { d.push(chunk); cb(); } });
}
