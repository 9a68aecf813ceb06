// Tests of transparent gzip detection.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { decompress, decompressed } from './decompress';

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const src = (...parts: Buffer[]) => Readable.from(parts, { objectMode: false });

describe('decompress', () => {
  it('inflates gzip even when the magic is split across chunks', async () => {
    const gz = gzipSync(Buffer.from('hello tar'));
    assert.equal((await collect(decompress(src(gz.subarray(0, 1), gz.subarray(1))))).toString(), 'hello tar');
  });

  it('passes other bytes through untouched, including tiny and empty streams', async () => {
    assert.equal((await collect(decompress(src(Buffer.from('plain'), Buffer.from(' data'))))).toString(), 'plain data');
    assert.deepEqual(await collect(decompress(src(Buffer.from([0x1f])))), Buffer.from([0x1f]));
    assert.equal((await collect(decompress(src()))).length, 0);
  });

  it('surfaces corrupt gzip and source errors', async () => {
    await assert.rejects(collect(decompress(src(Buffer.from([0x1f, 0x8b, 1, 2, 3])))));
    const failing = new Readable({ read() { this.destroy(new Error('boom')); } });
    await assert.rejects(collect(decompress(failing)), /boom/);
  });

  it('inflates zstd (as the zstd tool writes it), split into small chunks', async () => {
    const plain = Buffer.from('zstd layer '.repeat(5000));
    const z = execFileSync('zstd', ['-q', '-c'], { input: plain });
    const parts = [];
    for (let i = 0; i < z.length; i += 7) parts.push(z.subarray(i, i + 7));
    assert.deepEqual(await collect(decompress(src(...parts))), plain);
    await assert.rejects(collect(decompress(src(z.subarray(0, 12)))));
  });

  it('decompressed() hands a plain stream back itself, first bytes included, and inflates gzip', async () => {
    const plain = src(Buffer.from('pl'), Buffer.from('ain'), Buffer.from(' data'));
    const out = await decompressed(plain);
    assert.equal(out, plain);
    assert.equal((await collect(out)).toString(), 'plain data');
    assert.equal((await collect(await decompressed(src()))).length, 0);
    const gz = gzipSync(Buffer.from('hello tar'));
    assert.equal((await collect(await decompressed(src(gz.subarray(0, 1), gz.subarray(1))))).toString(), 'hello tar');
    const failing = new Readable({ read() { this.destroy(new Error('boom')); } });
    await assert.rejects(decompressed(failing), /boom/);
  });
});
