// Tests of transparent decompression: detection by magic bytes, each format inflated, corrupt streams answered 400.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { InvalidParameterError } from '../errors';
import { decompress, decompressed, detectCompression } from './decompress';

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
    await assert.rejects(collect(decompress(src(Buffer.from([0x1f, 0x8b, 8, 1, 2, 3, 4, 5, 6, 7])))), InvalidParameterError);
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

  it('detects each format as the real tools write it, and nothing else', () => {
    const plain = Buffer.from('tar bytes '.repeat(100));
    assert.equal(detectCompression(gzipSync(plain)), 'gzip');
    assert.equal(detectCompression(execFileSync('bzip2', ['-c'], { input: plain })), 'bzip2');
    assert.equal(detectCompression(execFileSync('bzip2', ['-c'], { input: Buffer.alloc(0) })), 'bzip2');
    assert.equal(detectCompression(execFileSync('xz', ['-c'], { input: plain })), 'xz');
    assert.equal(detectCompression(execFileSync('zstd', ['-q', '-c'], { input: plain })), 'zstd');
    assert.equal(detectCompression(plain), 'none');
    // A plain tar whose first name starts like bzip2's magic stays plain; so do heads too short to tell.
    assert.equal(detectCompression(Buffer.from('BZh9 is a file name\0\0\0')), 'none');
    assert.equal(detectCompression(Buffer.from([0xfd, 0x37, 0x7a])), 'none');
    assert.equal(detectCompression(Buffer.alloc(0)), 'none');
  });

  for (const [format, args] of [['xz', ['-c']], ['bzip2', ['-c']]] as const) {
    it(`inflates ${format} split into small chunks, and a truncated or corrupt one fails with a 400`, async () => {
      const plain = Buffer.from(`${format} layer `.repeat(20000));
      const z = execFileSync(format, [...args], { input: plain });
      const parts = [];
      for (let i = 0; i < z.length; i += 7) parts.push(z.subarray(i, i + 7));
      assert.deepEqual(await collect(decompress(src(...parts))), plain);
      assert.deepEqual(await collect(await decompressed(src(...parts))), plain);
      const truncated = decompress(src(z.subarray(0, z.length - 20)));
      await assert.rejects(collect(truncated), (err: Error) => err instanceof InvalidParameterError && new RegExp(`^${format} decompression failed: \\w`).test(err.message));
      const flipped = Buffer.from(z);
      for (let i = 40; i < 60; i++) flipped[i] ^= 0xff;
      await assert.rejects(collect(decompress(src(flipped))), InvalidParameterError);
    });
  }

  it('names what went wrong: xz past its memory limit, truncated gzip, corrupt zstd', async () => {
    const greedy = execFileSync('xz', ['-c', '--lzma2=dict=1536MiB'], { input: Buffer.from('x') });
    await assert.rejects(collect(decompress(src(greedy))), /^InvalidParameterError: xz decompression failed: Memory usage limit reached$/);
    const gz = gzipSync(Buffer.from('hello tar '.repeat(1000)));
    await assert.rejects(collect(decompress(src(gz.subarray(0, gz.length - 8)))), /^InvalidParameterError: gzip decompression failed: unexpected end of file$/);
    await assert.rejects(collect(await decompressed(src(gz.subarray(0, 30)))), InvalidParameterError);
    const z = execFileSync('zstd', ['-q', '-c'], { input: Buffer.from('zstd '.repeat(1000)) });
    await assert.rejects(collect(decompress(src(z.subarray(0, 12)))), /^InvalidParameterError: zstd decompression failed/);
  });

  it('passes the source\'s own error through as it is', async () => {
    const head = execFileSync('xz', ['-c'], { input: Buffer.from('x'.repeat(100000)) }).subarray(0, 20);
    const failing = (h: Buffer) => new Readable({
      read() {
        if (h.length) {
          this.push(h);
          h = Buffer.alloc(0);
        } else this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(collect(decompress(failing(head))), /^Error: client went away$/);
    await assert.rejects(collect(await decompressed(failing(gzipSync(Buffer.from('x'.repeat(100000))).subarray(0, 20)))), /^Error: client went away$/);
  });
});
