// A pass-through stream that hashes (sha256) and counts the bytes flowing through it.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

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

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** Whether `s` is exactly `sha256:` followed by 64 lowercase hex digits. */
export function isDigest(s: unknown): s is string {
  return typeof s === 'string' && DIGEST_RE.test(s);
}
