// Tests of chunk coalescing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { coalesce } from './coalesce';

describe('coalesce', () => {
  it('passes the same bytes in chunks of at least the size, the remainder last', async () => {
    const parts = Array.from({ length: 10 }, (_, i) => Buffer.alloc(300, i));
    const out: Buffer[] = [];
    // 'data' events see each pushed chunk (an async iterator would join what is buffered).
    const t = Readable.from(parts).pipe(coalesce(1000));
    t.on('data', (c: Buffer) => out.push(c));
    await new Promise((r) => t.once('end', r));
    assert.deepEqual(out.map((b) => b.length), [1200, 1200, 600]);
    assert.deepEqual(Buffer.concat(out), Buffer.concat(parts));
    const none: Buffer[] = [];
    for await (const c of Readable.from([]).pipe(coalesce(1000))) none.push(c as Buffer);
    assert.equal(none.length, 0);
  });
});
