import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { BATCH_BYTES, OffloadedHash } from './hash-offload';

const sha = (bufs: Buffer[]) => { const h = createHash('sha256'); for (const b of bufs) h.update(b); return h.digest('hex'); };

/** Feed chunks as a stream would: waiting whenever update asks to. */
async function feed(h: OffloadedHash, chunks: Buffer[]): Promise<number> {
  let waits = 0;
  for (const c of chunks) {
    const w = h.update(c);
    if (w) {
      waits++;
      await w;
    }
  }
  return waits;
}

test('a long stream in odd-sized chunks hashes as crypto does, with backpressure past the batches in flight', async () => {
  const chunks: Buffer[] = [];
  for (let n = 0; n < 9 * BATCH_BYTES;) {
    const c = randomBytes(1 + ((n * 7919) % 300_000));
    chunks.push(c);
    n += c.length;
  }
  chunks.push(randomBytes(3 * BATCH_BYTES + 17));
  const h = new OffloadedHash();
  const waits = await feed(h, chunks);
  assert.equal(await h.digest(), sha(chunks));
  assert.ok(waits > 0, 'a writer far ahead of the thread was made to wait');
});

test('short streams (held only, hashed in this thread) and empty ones hash as crypto does', async () => {
  for (const chunks of [[], [Buffer.alloc(0)], [randomBytes(10), randomBytes(BATCH_BYTES - 11)]]) {
    const h = new OffloadedHash();
    await feed(h, chunks);
    assert.equal(await h.digest(), sha(chunks));
  }
});

test('several hashes at once on the pool stay apart; a destroyed one does not disturb the others', async () => {
  const data = [0, 1, 2, 3].map(() => [randomBytes(2 * BATCH_BYTES + 5), randomBytes(BATCH_BYTES)]);
  const dropped = new OffloadedHash();
  await feed(dropped, [randomBytes(2 * BATCH_BYTES)]);
  dropped.destroy();
  await assert.rejects(dropped.digest(), /destroyed/);
  const got = await Promise.all(data.map(async (chunks) => {
    const h = new OffloadedHash();
    await feed(h, chunks);
    return h.digest();
  }));
  assert.deepEqual(got, data.map(sha));
});
