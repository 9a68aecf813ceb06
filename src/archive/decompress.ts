// Transparent decompression of tar streams, as Docker's DetectCompression: gzip, bzip2, xz and zstd are sniffed by their magic bytes and inflated.
import { pipeline, Readable, Transform, type Duplex } from 'node:stream';
import { InvalidParameterError } from '../errors';
import { spawnFilter } from './filter-process';
import { createStoredGunzip } from './gunzip-stored';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** "BZh" and the block size '1'..'9', then the magic of a first block (pi) or of the end of an empty stream (sqrt pi). */
const BZIP2_MAGIC = [0x42, 0x5a, 0x68];
const BZIP2_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_EOS = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
/** Bytes of a stream's head that detectCompression() needs to tell every format apart. */
export const DETECT_BYTES = 10;
/**
 * The xz decoder's memory ceiling: `xz -9e` needs 65 MiB; a header asking for
 * more (up to 1.5 GiB of dictionary) is refused rather than allocated.
 */
const XZ_MEMLIMIT = '256MiB';

const startsWith = (head: Buffer, magic: number[], at = 0) => head.length >= at + magic.length && magic.every((b, i) => head[at + i] === b);

/**
 * The compression of a stream starting with `head` (give it DETECT_BYTES,
 * fewer only when the stream is that short). bzip2 is recognised by its
 * first block's magic too, so a plain tar whose first name starts with "BZh"
 * stays plain.
 */
export function detectCompression(head: Buffer): Compression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, XZ_MAGIC)) return 'xz';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  const level = head[3] ?? 0;
  if (startsWith(head, BZIP2_MAGIC) && level >= 0x31 && level <= 0x39 && (startsWith(head, BZIP2_BLOCK, 4) || startsWith(head, BZIP2_EOS, 4))) return 'bzip2';
  return 'none';
}

/** A corrupt (or too demanding) compressed stream: the sender's fault, answered 400. */
function decompressionError(format: Compression, detail: string, cause?: unknown): InvalidParameterError {
  return new InvalidParameterError(`${format} decompression failed: ${detail}`, { cause });
}

/** A zstd decoder as a Transform (fzstd is pure JS and streams frame by frame). */
export function createZstdDecompress(): Transform {
  const { Decompress } = require('fzstd') as typeof import('fzstd');
  let out: Transform;
  const d = new Decompress((data) => { out.push(Buffer.from(data)); });
  out = new Transform({
    transform(chunk: Buffer, _e, cb) {
      try { d.push(chunk); cb(); } catch (err) { cb(decompressionError('zstd', (err as Error).message, err)); }
    },
    flush(cb) {
      try { d.push(new Uint8Array(0), true); cb(); } catch (err) { cb(decompressionError('zstd', (err as Error).message, err)); }
    },
  });
  return out;
}

/**
 * The uncompressed bytes of `source`: passed through as they are unless they
 * start with the magic of gzip, bzip2, xz or zstd, then inflated. Pulls from `source` only as fast as
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
    while (head.length < DETECT_BYTES) {
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

/** The inflater for a stream starting with `head` (DETECT_BYTES unless the stream is shorter), or none for plain bytes. */
function inflaterFor(head: Buffer): Duplex | undefined {
  switch (detectCompression(head)) {
    case 'none': return undefined;
    case 'zstd': return createZstdDecompress();
    // Stored blocks (berth's pushes of incompressible data) are read without zlib; zlib gets the rest, in big output chunks.
    case 'gzip': return ownErrorsAsCorrupt(createStoredGunzip(), 'gzip');
    // As moby does for xz, Debian's programs do these: native speed, and their memory stays theirs and bounded.
    case 'xz': return spawnFilter('xz', ['-d', '-c', '-q', `--memlimit-decompress=${XZ_MEMLIMIT}`], (detail, cause) => decompressionError('xz', detail, cause));
    case 'bzip2': return spawnFilter('bzip2', ['-d', '-c'], (detail, cause) => decompressionError('bzip2', detail, cause));
  }
}

/** zlib's own errors (codes Z_*) become decompressionError; the source's errors, passed through by pipeline, stay as they are. */
function ownErrorsAsCorrupt<T extends Duplex>(stream: T, format: Compression): T {
  const destroy = stream._destroy.bind(stream);
  stream._destroy = (err, cb) => {
    const own = err && /^Z_/.test(String((err as NodeJS.ErrnoException).code ?? ''));
    destroy(own ? decompressionError(format, err.message, err) : err, cb);
  };
  return stream;
}

/**
 * decompress() for a consumer that can wait for the first bytes: a plain
 * stream is handed back itself (its first bytes pushed back), so its chunks
 * reach the consumer without a generator between (several per chunk add up
 * on a 200 MB `docker cp`). Errors of `source` before the first bytes reject.
 */
export async function decompressed(source: Readable): Promise<Readable> {
  const head = await peek(source, DETECT_BYTES);
  const inflate = inflaterFor(head);
  if (!inflate) return source;
  pipeline(source, inflate, () => { /* errors surface on the inflater */ });
  return inflate;
}

/** At least `n` first bytes of `source` (fewer if it ends first), unshifted again so a later reader still gets them. */
export async function peek(source: Readable, n: number): Promise<Buffer> {
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
