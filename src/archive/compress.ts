// Fast gzip for layer uploads: the stream is cut into 1 MiB gzip members, and members that would not shrink are stored, not deflated.
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import { constants, gzip, type ZlibOptions } from 'node:zlib';

const gzipAsync = promisify(gzip) as (buf: Buffer, opts: ZlibOptions) => Promise<Buffer>;

const MEMBER = 1024 * 1024;
const SAMPLE = 64 * 1024;
/** A sample that deflates to more than this share of its size marks its member as incompressible. */
const INCOMPRESSIBLE = 0.97;

/**
 * A gzip stream made of independent members (RFC 1952 allows several; Go's,
 * zlib's and every registry client's readers take them). Deflating random or
 * already-compressed data at zlib's level 1 runs at ~17 MB/s here, so each
 * member's first 64 KiB is tried first and an incompressible member is
 * written with level 0 (stored) at memory speed; in a long incompressible run
 * only every 8th member is sampled. Members are compressed on
 * libuv's thread pool, one at a time per stream, in order.
 */
export function createFastGzip(level = 1): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // After a run of incompressible members, only every 8th is sampled: the rest are stored straight away.
  let storedRun = 0;
  const member = async (buf: Buffer): Promise<Buffer> => {
    const store = () => gzipAsync(buf, { level: constants.Z_NO_COMPRESSION });
    if (storedRun >= 4 && storedRun++ % 8 !== 0) return store();
    const sample = buf.subarray(0, SAMPLE);
    const tried = await gzipAsync(sample, { level });
    if (tried.length > sample.length * INCOMPRESSIBLE) {
      storedRun++;
      return store();
    }
    storedRun = 0;
    return buf.length === sample.length ? tried : gzipAsync(buf, { level });
  };
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < MEMBER) return cb();
      const all = Buffer.concat(pending);
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
