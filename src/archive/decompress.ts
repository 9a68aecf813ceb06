// Transparent decompression of tar streams: gzip is sniffed by its magic bytes (1f 8b) and inflated.
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The uncompressed bytes of `source`: passed through as they are unless they
 * start with gzip's magic, then inflated. Pulls from `source` only as fast as
 * the result is read; errors of `source` or of inflating surface on the result.
 */
export function decompress(source: Readable): Readable {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let ended = false;
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    while (!ended) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  async function* sniffed(): AsyncGenerator<Buffer> {
    while (head.length < GZIP_MAGIC.length) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head = Buffer.concat([head, r.value]);
    }
    if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
      const gunzip = createGunzip();
      pipeline(Readable.from(rest(), { objectMode: false }), gunzip, () => { /* errors surface on gunzip */ });
      yield* gunzip;
    } else {
      yield* rest();
    }
  }
  return Readable.from(sniffed(), { objectMode: false });
}
