// Transparent decompression of tar streams: gzip (1f 8b) and zstd (28 b5 2f fd) are sniffed by their magic bytes and inflated.
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A zstd decoder as a Transform (fzstd is pure JS and streams frame by frame). */
export function createZstdDecompress(): Transform {
  const { Decompress } = require('fzstd') as typeof import('fzstd');
  let out: Transform;
  const d = new Decompress((data) => { out.push(Buffer.from(data)); });
  out = new Transform({
    transform(chunk: Buffer, _e, cb) {
      try { d.push(chunk); cb(); } catch (err) { cb(err as Error); }
    },
    flush(cb) {
      try { d.push(new Uint8Array(0), true); cb(); } catch (err) { cb(err as Error); }
    },
  });
  return out;
}

/**
 * The uncompressed bytes of `source`: passed through as they are unless they
 * start with gzip's or zstd's magic, then inflated. Pulls from `source` only as fast as
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
    while (head.length < ZSTD_MAGIC.length) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head = Buffer.concat([head, r.value]);
    }
    const zstd = ZSTD_MAGIC.every((b, i) => head[i] === b);
    if (zstd || (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1])) {
      // Big output chunks: a layer's files are written chunk by chunk, and 16 KiB writes cost more than the inflating.
      const gunzip = zstd ? createZstdDecompress() : createGunzip({ chunkSize: 256 * 1024 });
      pipeline(Readable.from(rest(), { objectMode: false }), gunzip, () => { /* errors surface on gunzip */ });
      yield* gunzip;
    } else {
      yield* rest();
    }
  }
  return Readable.from(sniffed(), { objectMode: false });
}
