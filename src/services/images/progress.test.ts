// Tests of Docker's progress bar text and the byte counter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { progressBar, ProgressCounter } from './progress';

describe('progress', () => {
  it('draws the bar as docker does', () => {
    assert.equal(progressBar(0, 100), `[>${' '.repeat(50)}]       0B/100B`);
    assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(25)}]      50B/100B`);
    assert.equal(progressBar(2_000_000, 2_000_000), `[${'='.repeat(50)}>]      2MB/2MB`);
    assert.equal(progressBar(1234, 0), '  1.23kB');
  });

  it('counts bytes, reports the total at the end and refuses more than the limit', async () => {
    const seen: number[] = [];
    await pipeline(Readable.from([Buffer.alloc(600 * 1024), Buffer.alloc(10)]), new ProgressCounter((n) => seen.push(n)), async (s) => { for await (const _ of s) { /* drain */ } });
    assert.deepEqual(seen, [600 * 1024, 600 * 1024 + 10]);
    await assert.rejects(pipeline(Readable.from([Buffer.alloc(11)]), new ProgressCounter(() => undefined, 10), async (s) => { for await (const _ of s) { /* drain */ } }), /larger than/);
  });
});
