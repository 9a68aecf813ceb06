// Transparent decompression of tar streams: gzip (1f 8b) and zstd (28 b5 2f fd) are sniffed by their magic bytes and inflated.
import { pipeline, Readable, Transform } from 'node:stream';
import { createStoredGunzip } from './gunzip-stored';

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
    const inflate = inflaterFor(head);
    if (inflate) {
      pipeline(Readable.from(rest(), { objectMode: false }), inflate, () => { /* errors surface on the inflater */ });
      yield* inflate;
    } else {
      yield* rest();
    }
  }
  return Readable.from(sniffed(), { objectMode: false });
}

/** The inflater for a stream starting with `head` (at least 4 bytes unless the stream is shorter), or none for plain bytes. */
function inflaterFor(head: Buffer): Transform | undefined {
  const zstd = ZSTD_MAGIC.every((b, i) => head[i] === b);
  if (!zstd && !(head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1])) return undefined;
  // Stored blocks (berth's pushes of incompressible data) are read without zlib; zlib gets the rest.
  return zstd ? createZstdDecompress() : createStoredGunzip();
}

/**
 * decompress() for a consumer that can wait for the first bytes: a plain
 * stream is handed back itself (its first bytes pushed back), so its chunks
 * reach the consumer without a generator between (several per chunk add up
 * on a 200 MB `docker cp`). Errors of `source` before the first bytes reject.
 */
export async function decompressed(source: Readable): Promise<Readable> {
  const head = await peek(source, ZSTD_MAGIC.length);
  const inflate = inflaterFor(head);
  if (!inflate) return source;
  pipeline(source, inflate, () => { /* errors surface on the inflater */ });
  return inflate;
}

/** At least `n` first bytes of `source` (fewer if it ends first), unshifted again so a later reader still gets them. */
async function peek(source: Readable, n: number): Promise<Buffer> {
  // An error surfaces through this rejection or the caller's pipeline, never as an unhandled 'error' event.
  source.on('error', () => undefined);
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const c = source.read() as Buffer | null;
    if (c !== null) {
      chunks.push(c);
      have += c.length;
      continue;
    }
    if (source.errored) throw source.errored;
    if (source.readableEnded || source.destroyed) break;
    if (!(await moreOrEnd(source))) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length) source.unshift(head);
  return head;
}

/** Resolves true when `source` may have more to read, false once it ended or closed; rejects on its error. */
function moreOrEnd(source: Readable): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const settle = (fn: () => void) => () => {
      source.off('readable', onReadable);
      source.off('end', onEnd);
      source.off('close', onEnd);
      source.off('error', onError);
      fn();
    };
    const onReadable = settle(() => resolve(true));
    const onEnd = settle(() => resolve(false));
    const onError = (err: Error) => settle(() => reject(err))();
    source.once('readable', onReadable);
    source.once('end', onEnd);
    source.once('close', onEnd);
    source.once('error', onError);
  });
}
