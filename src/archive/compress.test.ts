// Tests of the member-wise gzip used for layer uploads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { createFastGzip, storedMember } from './compress';

async function gz(parts: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(parts).pipe(createFastGzip())) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('createFastGzip', () => {
  it('round-trips through a standard gunzip, across member boundaries and odd chunk sizes', async () => {
    const data = Buffer.concat([randomBytes(1_500_000), Buffer.alloc(2_000_000, 'a'), randomBytes(777)]);
    const parts = [];
    for (let i = 0; i < data.length; i += 300_001) parts.push(data.subarray(i, i + 300_001));
    const z = await gz(parts);
    assert.deepEqual(gunzipSync(z), data);
  });

  it('stores incompressible data and deflates compressible data', async () => {
    const random = randomBytes(3 * 1024 * 1024);
    const zr = await gz([random]);
    assert.ok(zr.length >= random.length && zr.length < random.length * 1.01, `${zr.length}`);
    const text = Buffer.alloc(3 * 1024 * 1024, 'berth ');
    assert.ok((await gz([text])).length < text.length / 50);
    assert.deepEqual(gunzipSync(await gz([])), Buffer.alloc(0));
  });

  it('samples again after a long incompressible run, so compressible data that follows still shrinks', async () => {
    const random = randomBytes(12 * 1024 * 1024);
    const text = Buffer.alloc(12 * 1024 * 1024, 'layer ');
    const z = await gz([random, text]);
    assert.deepEqual(gunzipSync(z), Buffer.concat([random, text]));
    assert.ok(z.length < random.length + text.length / 2, `${z.length}`);
  });

  it('builds stored members that a standard gunzip reads, at block edges too', () => {
    for (const n of [0, 1, 65534, 65535, 65536, 3 * 65535, 1024 * 1024 + 7]) {
      const data = randomBytes(n);
      const z = storedMember(data);
      assert.equal(z.length, 18 + Math.max(1, Math.ceil(n / 65535)) * 5 + n, `${n}`);
      assert.deepEqual(gunzipSync(z), data, `${n}`);
    }
  });
});
