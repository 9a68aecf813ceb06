// Tests of the stored-block gunzip: the same bytes and the same errors as zlib's gunzip, whatever the members hold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { storedMember } from './compress';
import { createStoredGunzip } from './gunzip-stored';

/** Gunzip `z` fed in `size`-byte chunks; the output, or the error zlib's own gunzip gives. */
async function gunzip(z: Buffer, size = 65536): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < z.length; i += size) parts.push(z.subarray(i, i + size));
  const out: Buffer[] = [];
  await pipeline(Readable.from(parts), createStoredGunzip(), async (s: AsyncIterable<Buffer>) => { for await (const c of s) out.push(c); });
  return Buffer.concat(out);
}

function zlibError(z: Buffer): string {
  try {
    gunzipSync(z);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('createStoredGunzip', () => {
  const a = randomBytes(1_000_003);
  const b = randomBytes(65535 * 3);
  const text = Buffer.alloc(300_000, 'compressible ');

  it('reads stored members at any chunking, empty ones too', async () => {
    const z = Buffer.concat([storedMember(a), storedMember(Buffer.alloc(0)), storedMember(b)]);
    for (const size of [1, 7, 4096, 65536, 1 << 20]) assert.deepEqual(await gunzip(z, size), Buffer.concat([a, b]), `chunks of ${size}`);
  });

  it('hands deflated members, flagged headers and big stored members to zlib, with the same result', async () => {
    const named = gzipSync(b);
    named[3] = 8; // FNAME, followed by a name
    const withName = Buffer.concat([named.subarray(0, 10), Buffer.from('x\0'), named.subarray(10)]);
    const cases: Array<[string, Buffer, Buffer]> = [
      ['stored then deflated', Buffer.concat([storedMember(a), gzipSync(text), storedMember(b)]), Buffer.concat([a, text, b])],
      ['deflated first', Buffer.concat([gzipSync(text), storedMember(a)]), Buffer.concat([text, a])],
      ['a flagged header', Buffer.concat([storedMember(a), withName]), Buffer.concat([a, b])],
      ['one 6 MB stored member (zlib level 0)', gzipSync(Buffer.concat([a, a, a, a, a, a]), { level: 0 }), Buffer.concat([a, a, a, a, a, a])],
      ['zero padding after a member', Buffer.concat([storedMember(a), Buffer.alloc(1000)]), a],
    ];
    for (const [what, z, want] of cases) {
      assert.deepEqual(gunzipSync(z), want, `zlib: ${what}`);
      assert.deepEqual(await gunzip(z), want, what);
    }
  });

  it('fails as zlib does on a bad CRC, a bad length, a truncated member and garbage', async () => {
    const good = Buffer.concat([storedMember(a), storedMember(b)]);
    const badCrc = Buffer.from(good);
    badCrc[storedMember(a).length - 8] ^= 1;
    const badData = Buffer.from(good);
    badData[5000] ^= 1;
    const badLen = Buffer.from(good);
    badLen[13] ^= 1;
    for (const [what, z] of [['bad CRC', badCrc], ['changed data', badData], ['bad NLEN', badLen], ['truncated', good.subarray(0, 700_000)],
      ['garbage after a member', Buffer.concat([storedMember(a), Buffer.from('garbage!garbage!garbage!')])]] as Array<[string, Buffer]>) {
      const want = zlibError(z);
      assert.notEqual(want, 'no error', what);
      await assert.rejects(gunzip(z), (err: Error) => err.message === want, what);
    }
  });

  it('holds zlib back while its reader is behind, so a small input cannot fill memory', async () => {
    const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const g = createStoredGunzip();
    Readable.from([zeros]).pipe(g);
    await new Promise((r) => setTimeout(r, 300));
    // Nothing read yet: only about a buffer's worth of output may wait.
    assert.ok(g.readableLength <= 4 * 1024 * 1024, `${g.readableLength}`);
    let n = 0;
    for await (const c of g) n += (c as Buffer).length;
    assert.equal(n, 64 * 1024 * 1024);
  });
});
