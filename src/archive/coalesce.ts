// Batching small chunks into big ones before they are written: one 1 MiB write costs far less than sixteen 64 KiB ones.
import { Transform, type TransformCallback } from 'node:stream';

/** A Transform that passes the same bytes on in chunks of at least `size` (the last may be smaller). */
export function coalesce(size = 1024 * 1024): Transform {
  let parts: Buffer[] = [];
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      parts.push(chunk);
      n += chunk.length;
      if (n < size) return cb();
      const out = parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
      parts = [];
      n = 0;
      cb(null, out);
    },
    flush(cb: TransformCallback) {
      cb(null, n ? Buffer.concat(parts, n) : undefined);
    },
  });
}
