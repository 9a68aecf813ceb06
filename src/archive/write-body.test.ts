// Tests of writing a tar entry's body in batches, with backpressure and every failure surfaced.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'streamx';
import { writeBody, WRITE_BATCH, type EntryBody } from './write-body';

const CHUNK = 64 * 1024;

/** A body of `total` bytes (byte i is i % 251), counting what it has produced so far. */
function body(total: number): { stream: EntryBody & Readable; produced(): number } {
  let produced = 0;
  const stream = new Readable({
    read(cb) {
      if (produced >= total) {
        this.push(null);
        return cb(null);
      }
      const n = Math.min(CHUNK, total - produced);
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) chunk[i] = (produced + i) % 251;
      produced += n;
      this.push(chunk);
      cb(null);
    },
  });
  return { stream: stream as unknown as EntryBody & Readable, produced: () => produced };
}

/** A FileHandle whose writes are collected; `hold` keeps every write pending until released. */
function fakeFile(opts: { hold?: boolean; fail?: Error } = {}) {
  const written: Buffer[] = [];
  const pending: Array<() => void> = [];
  const fh = {
    writev(chunks: Buffer[]) {
      if (opts.fail) return Promise.reject(opts.fail);
      const done = () => written.push(...chunks);
      const bytesWritten = chunks.reduce((s, c) => s + c.length, 0);
      if (!opts.hold) {
        done();
        return Promise.resolve({ bytesWritten });
      }
      return new Promise((resolve) => pending.push(() => { done(); resolve({ bytesWritten }); }));
    },
  };
  return { fh: fh as unknown as FileHandle, written, pending, release() { opts.hold = false; for (const p of pending.splice(0)) p(); } };
}

const ticks = async (n: number) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

describe('writeBody', () => {
  it('writes every byte in order, in batches of about WRITE_BATCH', async () => {
    const total = 3 * WRITE_BATCH + 12345;
    const f = fakeFile();
    await writeBody(f.fh, body(total).stream);
    const all = Buffer.concat(f.written);
    assert.equal(all.length, total);
    assert.ok(all.every((b, i) => b === i % 251));
  });

  it('stops reading the body while a write is in flight and the next batch is full', async () => {
    const f = fakeFile({ hold: true });
    const b = body(16 * WRITE_BATCH);
    const done = writeBody(f.fh, b.stream);
    await ticks(200);
    // One batch being written, one full and waiting, plus what the stream reads ahead.
    assert.ok(b.produced() <= 2 * WRITE_BATCH + 4 * CHUNK, `read ${b.produced()} bytes while the disk was stuck`);
    assert.equal(f.pending.length, 1);
    f.release();
    await done;
    assert.equal(Buffer.concat(f.written).length, 16 * WRITE_BATCH);
  });

  it('rejects on a write error, a body error, and a body closed before its end', async () => {
    await assert.rejects(writeBody(fakeFile({ fail: new Error('disk full') }).fh, body(2 * WRITE_BATCH).stream), /disk full/);
    const failing = body(4 * WRITE_BATCH).stream;
    const p1 = writeBody(fakeFile().fh, failing);
    failing.destroy(new Error('truncated tar'));
    await assert.rejects(p1, /truncated tar/);
    const cut = body(4 * WRITE_BATCH).stream;
    const p2 = writeBody(fakeFile().fh, cut);
    cut.destroy();
    await assert.rejects(p2, /premature close/);
    // Destroyed (and its error seen elsewhere, as tar-stream's iterator does) before writeBody listens.
    const gone = body(WRITE_BATCH).stream;
    gone.on('error', () => undefined);
    gone.destroy(new Error('input failed'));
    await ticks(5);
    await assert.rejects(writeBody(fakeFile().fh, gone), /premature close/);
  });
});
