// A tar stream's missing tail made good the way Go's tar reader forgives it: a last entry without its padding, no end blocks.
import { Transform } from 'node:stream';

const BLOCK = 512;

/** An entry's size from its header: octal text, or GNU base-256 when the top bit is set. */
function headerSize(h: Buffer): number {
  const field = h.subarray(124, 136);
  if (field[0]! & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text ? parseInt(text, 8) || 0 : 0;
}

/**
 * Pass a tar stream through, following its headers. If it ends right after
 * the last entry's data (padding and end-of-archive blocks missing, as the
 * docker CLI sends a context with `-f -`), append them: Go's reader, and so
 * dockerd, reads such a stream as complete. A stream cut anywhere else is
 * passed on as it is, for the extractor to refuse.
 */
export function completeTarTail(): Transform {
  let header = Buffer.alloc(0);
  // Bytes of the current entry's data (then padding) still to come; 0 means a header is next.
  let dataLeft = 0;
  let padLeft = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let i = 0;
      while (i < chunk.length) {
        if (dataLeft > 0) {
          const n = Math.min(dataLeft, chunk.length - i);
          dataLeft -= n;
          i += n;
        } else if (padLeft > 0) {
          const n = Math.min(padLeft, chunk.length - i);
          padLeft -= n;
          i += n;
        } else {
          const n = Math.min(BLOCK - header.length, chunk.length - i);
          header = Buffer.concat([header, chunk.subarray(i, i + n)]);
          i += n;
          if (header.length === BLOCK) {
            const size = header.every((b) => b === 0) ? 0 : headerSize(header);
            dataLeft = size;
            padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
            header = Buffer.alloc(0);
          }
        }
      }
      cb(null, chunk);
    },
    flush(cb) {
      // Cut exactly after an entry's data: its padding and the two end blocks are all that is missing.
      if (dataLeft === 0 && header.length === 0) cb(null, Buffer.alloc(padLeft + 2 * BLOCK));
      else cb();
    },
  });
}
