// Gunzip that reads stored (uncompressed) deflate blocks itself, without copying, and hands anything else to zlib.
import { Transform, type TransformCallback } from 'node:stream';
import { crc32, createGunzip } from 'node:zlib';

/** Bytes of one member read here before it is given to zlib instead (a member's data is passed on once its CRC checks). */
const MEMBER_LIMIT = 4 * 1024 * 1024;
/** zlib's output chunks: a layer's files are written chunk by chunk, and 16 KiB writes cost more than the inflating. */
const ZLIB_CHUNK = 256 * 1024;

type Stage = 'header' | 'block' | 'data' | 'trailer';

/**
 * A gunzip Transform. Layers pushed by berth (and data zlib would not
 * compress) are gzip members of stored blocks: their bytes are already the
 * data, so here they are sliced out of the input, with the member's CRC-32
 * and length checked before its data is passed on, instead of zlib copying
 * them through its window on the thread pool (~3x the CPU for random data).
 * Anything else (a compressed block, header flags, a member over 4 MiB, a
 * bad CRC, trailing bytes) goes to zlib from the start of the current
 * member on, so results and errors are zlib's.
 */
export function createStoredGunzip(): Transform {
  // Input not yet parsed, and the current member's bytes parsed so far (kept for zlib).
  let queue: Buffer[] = [];
  let queued = 0;
  let member: Buffer[] = [];
  let memberBytes = 0;
  let data: Buffer[] = [];
  let dataBytes = 0;
  let crc = 0;
  let stage: Stage = 'header';
  let remaining = 0;
  let lastBlock = false;
  let members = 0;
  let zlib: Transform | undefined;

  let ignoring = false;

  /** The first `n` (<= queued) bytes, copied only when they span chunks. */
  const peek = (n: number): Buffer => {
    if (queue[0].length >= n) return queue[0];
    const parts: Buffer[] = [];
    for (let i = 0, have = 0; have < n; i++) {
      parts.push(queue[i]);
      have += queue[i].length;
    }
    return Buffer.concat(parts);
  };
  const take = (n: number): Buffer[] => {
    const out: Buffer[] = [];
    while (n > 0) {
      const head = queue[0];
      const part = head.length <= n ? head : head.subarray(0, n);
      if (part === head) queue.shift();
      else queue[0] = head.subarray(n);
      out.push(part);
      member.push(part);
      memberBytes += part.length;
      queued -= part.length;
      n -= part.length;
    }
    return out;
  };

  /** Parse what is queued; false when zlib must take over from the current member's start. */
  const parse = (self: Transform): boolean => {
    for (;;) {
      if (stage === 'header') {
        // As zlib: zero bytes after a member are padding, ignored.
        if (members > 0 && queued > 0 && queue[0][0] === 0) {
          ignoring = true;
          queue = [];
          queued = 0;
          return true;
        }
        if (queued < 15) return true;
        const h = peek(15);
        // No flags (name, comment, extra, header CRC), and a stored block first.
        if (h[0] !== 0x1f || h[1] !== 0x8b || h[2] !== 8 || h[3] !== 0 || ((h[10] >> 1) & 3) !== 0) return false;
        take(10);
        stage = 'block';
      } else if (stage === 'block') {
        if (queued < 5) return true;
        const b = peek(5);
        const len = b.readUInt16LE(1);
        if (((b[0] >> 1) & 3) !== 0 || (len ^ 0xffff) !== b.readUInt16LE(3) || memberBytes + 5 + len + 8 > MEMBER_LIMIT) return false;
        take(5);
        lastBlock = (b[0] & 1) === 1;
        remaining = len;
        stage = remaining ? 'data' : lastBlock ? 'trailer' : 'block';
      } else if (stage === 'data') {
        if (!queued) return true;
        for (const part of take(Math.min(remaining, queued))) {
          crc = crc32(part, crc);
          data.push(part);
          dataBytes += part.length;
          remaining -= part.length;
        }
        if (remaining === 0) stage = lastBlock ? 'trailer' : 'block';
      } else {
        if (queued < 8) return true;
        const t = peek(8);
        if (t.readUInt32LE(0) !== crc >>> 0 || t.readUInt32LE(4) !== dataBytes % 2 ** 32) return false;
        take(8);
        for (const d of data) self.push(d);
        member = [];
        memberBytes = 0;
        data = [];
        dataBytes = 0;
        crc = 0;
        members++;
        stage = 'header';
      }
    }
  };

  /** zlib from the current member's first byte on, for the rest of the stream. */
  const handOver = (self: Transform): Transform => {
    const z = createGunzip({ chunkSize: ZLIB_CHUNK });
    // Paused while the reader is behind, so zlib stops inflating and its input backs up to our writer.
    z.on('data', (c: Buffer) => { if (!self.push(c)) z.pause(); });
    z.on('error', (err) => self.destroy(err));
    for (const b of [...member, ...queue]) z.write(b);
    member = queue = data = [];
    memberBytes = queued = dataBytes = 0;
    return z;
  };

  const toZlib = (z: Transform, chunk: Buffer | undefined, cb: TransformCallback) => {
    if (!chunk || z.write(chunk)) cb();
    else z.once('drain', () => cb());
  };

  const t = new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      if (zlib) return toZlib(zlib, chunk, cb);
      if (ignoring) return cb();
      queue.push(chunk);
      queued += chunk.length;
      if (parse(this)) return cb();
      zlib = handOver(this);
      toZlib(zlib, undefined, cb);
    },
    flush(cb: TransformCallback) {
      // Ended cleanly after whole members: done. Otherwise zlib says what is wrong (or that trailing bytes do not matter).
      if (!zlib && (ignoring || (stage === 'header' && members > 0 && queued === 0))) return cb();
      const z = (zlib ??= handOver(this));
      z.once('end', () => cb());
      z.once('error', (err) => cb(err));
      z.end();
    },
  });
  const read = t._read.bind(t);
  t._read = (n: number) => {
    zlib?.resume();
    read(n);
  };
  return t;
}
