// A pass-through stream that hashes (sha256) and counts the bytes flowing through it.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Pipe data through it; once it has ended, `digest()` is the `sha256:<hex>`
 * of everything that passed and `size` the byte count. Backpressure is the
 * Transform's own.
 */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private hex: string | undefined;
  /** Bytes seen so far. */
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.hex = this.hash.digest('hex');
    cb();
  }

  /** `sha256:<hex>` of all bytes; only valid after the stream has ended. */
  digest(): string {
    if (this.hex === undefined) throw new Error('DigestStream: digest() called before the stream ended');
    return `sha256:${this.hex}`;
  }
}

/** sha256 digest and length of everything `source` yields, keeping none of it. */
export async function digestOf(source: Readable, signal?: AbortSignal): Promise<{ digest: string; size: number }> {
  const hasher = new DigestStream();
  await pipeline(source, hasher, async (chunks: AsyncIterable<Buffer>) => { for await (const _ of chunks) { /* only hashed */ } }, signal ? { signal } : {});
  return { digest: hasher.digest(), size: hasher.size };
}

/**
 * A pass-through that lets bytes out only as long as they can still be the
 * blob `expected` of `size` bytes: it errors as soon as more bytes arrive,
 * and holds the last chunk back until the end, when the digest is checked,
 * so a consumer of a wrong stream never receives all of it. `onMismatch`
 * makes the error (a corrupt blob is the caller's kind of failure).
 */
export class VerifyingStream extends DigestStream {
  private held: Buffer | undefined;

  constructor(private readonly expected: string, private readonly expectedSize: number, private readonly onMismatch: (got: string) => Error) {
    super();
  }

  override _transform(chunk: Buffer, enc: BufferEncoding, cb: TransformCallback): void {
    if (this.size + chunk.length > this.expectedSize) return cb(this.onMismatch(`more than ${this.expectedSize} bytes`));
    super._transform(chunk, enc, (err) => {
      if (err) return cb(err);
      const prev = this.held;
      this.held = chunk;
      cb(null, prev);
    });
  }

  override _flush(cb: TransformCallback): void {
    super._flush((err) => {
      if (err) return cb(err);
      if (this.size !== this.expectedSize) return cb(this.onMismatch(`${this.size} bytes`));
      if (this.digest() !== this.expected) return cb(this.onMismatch(this.digest()));
      cb(null, this.held);
    });
  }
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** Whether `s` is exactly `sha256:` followed by 64 lowercase hex digits. */
export function isDigest(s: unknown): s is string {
  return typeof s === 'string' && DIGEST_RE.test(s);
}
