// Fast gzip for layer uploads: the stream is cut into 1 MiB gzip members, and members that would not shrink are stored, not deflated.
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, gzip, type ZlibOptions } from 'node:zlib';

const gzipAsync = promisify(gzip) as (buf: Buffer, opts: ZlibOptions) => Promise<Buffer>;

const MEMBER = 1024 * 1024;
/** Magic, deflate, no flags, no mtime, no extra flags, OS unix (RFC 1952 2.3). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
const SAMPLE = 64 * 1024;
/** A sample that deflates to more than this share of its size marks its member as incompressible. */
const INCOMPRESSIBLE = 0.97;
/** Bytes of data in one stored deflate block (its LEN field is 16 bits). */
const STORED_BLOCK = 65535;
/** Room beyond the input for gzip's header, trailer and stored-block headers (5 bytes per 64 KiB). */
const SLACK = 4096;

/**
 * `data` as one gzip member of stored deflate blocks (RFC 1951 3.2.4): what
 * zlib writes at level 0, built here with one copy and zlib's CRC-32, rather
 * than by a deflate stream that copies in and out of its window.
 */
export function storedMember(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / STORED_BLOCK));
  const out = Buffer.allocUnsafe(GZIP_HEADER.length + blocks * 5 + data.length + 8);
  let o = GZIP_HEADER.copy(out, 0);
  for (let b = 0, off = 0; b < blocks; b++) {
    const n = Math.min(STORED_BLOCK, data.length - off);
    out[o] = b === blocks - 1 ? 1 : 0; // BFINAL on the last block, BTYPE 00 (stored)
    out.writeUInt16LE(n, o + 1);
    out.writeUInt16LE(n ^ 0xffff, o + 3);
    o += 5 + data.copy(out, o + 5, off, off + n);
    off += n;
  }
  out.writeUInt32LE(crc32(data), o);
  out.writeUInt32LE(data.length % 2 ** 32, o + 4);
  return out;
}

/**
 * A gzip stream made of independent members (RFC 1952 allows several; Go's,
 * zlib's and every registry client's readers take them). Deflating random or
 * already-compressed data at zlib's level 1 runs at ~17 MB/s here, so each
 * member's first 64 KiB is tried first and an incompressible member is
 * written as stored blocks at memory speed; in a long incompressible run
 * only every 8th member is sampled. Samples and compressible members are
 * deflated on libuv's thread pool, one at a time per stream, in order.
 */
export function createFastGzip(level = 1): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // After a run of incompressible members, only every 8th is sampled: the rest are stored straight away.
  let storedRun = 0;
  const member = async (buf: Buffer): Promise<Buffer> => {
    if (storedRun >= 4 && storedRun++ % 8 !== 0) return storedMember(buf);
    const sample = buf.subarray(0, SAMPLE);
    const tried = await gzipAsync(sample, { level, chunkSize: SAMPLE + SLACK });
    if (tried.length > sample.length * INCOMPRESSIBLE) {
      storedRun++;
      return storedMember(buf);
    }
    storedRun = 0;
    // One output buffer big enough for the whole member: with zlib's 16 KiB default, each member took ~64 trips to the thread pool.
    return buf.length === sample.length ? tried : gzipAsync(buf, { level, chunkSize: buf.length + SLACK });
  };
  return new Transform({
    // Room for the next member's input to be read while this one is compressed, and for its output to be sent.
    writableHighWaterMark: 2 * MEMBER,
    readableHighWaterMark: 2 * MEMBER,
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < MEMBER) return cb();
      const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const whole = all.length - (all.length % MEMBER);
      if (whole < all.length) {
        pending = [all.subarray(whole)];
        pendingBytes = all.length - whole;
      }
      (async () => {
        for (let off = 0; off < whole; off += MEMBER) this.push(await member(all.subarray(off, off + MEMBER)));
      })().then(() => cb(), cb);
    },
    flush(cb: TransformCallback) {
      // An empty input still needs one (empty) member to be a gzip stream.
      member(Buffer.concat(pending)).then((b) => cb(null, b), cb);
    },
  });
}
