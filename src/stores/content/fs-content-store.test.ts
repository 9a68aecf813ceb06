// Tests of the filesystem content store: verified ingest, atomicity, hostile digests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidParameterError, NotFoundError } from '../../errors';
import { FsContentStore } from './fs-content-store';

const sha = (s: string | Buffer) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

function chunked(buf: Buffer, size = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('FsContentStore', () => {
  let root: string;
  let store: FsContentStore;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-content-'));
    store = new FsContentStore(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('ingests a stream, verifies it and serves it back', async () => {
    const data = Buffer.alloc(300_000, 'abc');
    const info = await store.ingest(chunked(data), sha(data));
    assert.deepEqual(info, { digest: sha(data), size: data.length });
    assert.ok(existsSync(join(root, 'blobs/sha256', sha(data).slice(7))));
    assert.deepEqual(await store.get(info.digest), data);
    assert.deepEqual(await collect(store.open(info.digest)), data);
    assert.deepEqual(await store.stat(info.digest), info);
    assert.ok((await store.list()).includes(info.digest));
    assert.deepEqual(readdirSync(join(root, 'ingest')), []);
  });

  it('keeps nothing on a digest mismatch', async () => {
    const before = await store.list();
    const wrong = sha('something else');
    await assert.rejects(store.ingest(chunked(Buffer.from('payload')), wrong), (err) => err instanceof InvalidParameterError && err.message.includes(wrong));
    assert.deepEqual(await store.list(), before);
    assert.equal(await store.stat(sha('payload')), undefined);
    assert.deepEqual(readdirSync(join(root, 'ingest')), []);
  });

  it('accepts concurrent ingests of the same blob', async () => {
    const data = Buffer.alloc(200_000, 'concurrent');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.ingest(chunked(data, 777 + i), i % 2 ? sha(data) : undefined)));
    for (const r of results) assert.deepEqual(r, { digest: sha(data), size: data.length });
    assert.deepEqual(await store.get(sha(data)), data);
    assert.deepEqual(readdirSync(join(root, 'ingest')), []);
  });

  it('consumes the source when the blob already exists', async () => {
    const src = chunked(Buffer.from('again'));
    await store.put('again');
    await store.ingest(src, sha('again'));
    assert.equal(src.readableEnded, true);
  });

  it('puts small blobs and checks their digest', async () => {
    assert.deepEqual(await store.put('{"a":1}'), { digest: sha('{"a":1}'), size: 7 });
    await assert.rejects(store.put('x', sha('y')), InvalidParameterError);
  });

  it('rejects hostile digests before touching the filesystem', async () => {
    mkdirSync(join(root, 'outside'), { recursive: true });
    writeFileSync(join(root, 'outside', 'secret'), 's');
    for (const bad of ['sha256:../../outside/secret', '../outside/secret', `sha256:${'a'.repeat(64)}/../../../outside/secret`, `sha256:${'A'.repeat(64)}`, '']) {
      await assert.rejects(store.get(bad), InvalidParameterError, bad);
      await assert.rejects(store.delete(bad), InvalidParameterError, bad);
      await assert.rejects(store.stat(bad), InvalidParameterError, bad);
      await assert.rejects(store.ingest(chunked(Buffer.from('s')), bad), InvalidParameterError, bad);
      assert.throws(() => store.open(bad), InvalidParameterError);
    }
    assert.ok(existsSync(join(root, 'outside', 'secret')));
  });

  it('reports missing blobs as NotFound', async () => {
    const missing = sha('missing');
    await assert.rejects(store.get(missing), NotFoundError);
    await assert.rejects(collect(store.open(missing)), (err) => err instanceof NotFoundError && err.message.includes(missing));
    assert.equal(await store.stat(missing), undefined);
    await store.delete(missing);
  });

  it('deletes blobs and sweeps interrupted ingests', async () => {
    await store.put('to delete');
    await store.delete(sha('to delete'));
    assert.equal(await store.stat(sha('to delete')), undefined);
    writeFileSync(join(root, 'ingest', 'leftover'), 'partial');
    await store.cleanup();
    assert.deepEqual(readdirSync(join(root, 'ingest')), []);
  });

  it('keeps nothing when the source fails or is aborted', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('network down')); } });
    await assert.rejects(store.ingest(failing), /network down/);
    const ac = new AbortController();
    const slow = new Readable({ read() { /* never produces */ } });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(store.ingest(slow, undefined, ac.signal));
    assert.deepEqual(readdirSync(join(root, 'ingest')), []);
  });

  describe('lazySync (a pulled layer\'s compressed copy)', () => {
    const marks = (r: string) => (existsSync(join(r, 'unsynced')) ? readdirSync(join(r, 'unsynced')).sort() : []);
    async function inRoot(fn: (r: string) => Promise<void>): Promise<void> {
      const r = mkdtempSync(join(tmpdir(), 'berth-content-lazy-'));
      try {
        await fn(r);
      } finally {
        rmSync(r, { recursive: true, force: true });
      }
    }

    it('puts the blob in place marked unsynced with this boot, and unmarks it once the filesystem is synced', async () => {
      await inRoot(async (r) => {
        const s = new FsContentStore(r, { bootId: 'boot-1', syncDelayMs: 60_000 });
        const data = Buffer.alloc(3_000_000, 'lazy');
        assert.deepEqual(await s.ingest(chunked(data, 65536), sha(data), undefined, { lazySync: true }), { digest: sha(data), size: data.length });
        assert.deepEqual(await s.get(sha(data)), data);
        assert.deepEqual(marks(r), [sha(data).slice(7)]);
        assert.equal(readFileSync(join(r, 'unsynced', sha(data).slice(7)), 'utf8'), 'boot-1');
        await s.syncBlobs();
        assert.deepEqual(marks(r), []);
        assert.deepEqual(await s.get(sha(data)), data);
      });
    });

    it('leaves neither blob nor mark when the bytes do not match', async () => {
      await inRoot(async (r) => {
        const s = new FsContentStore(r, { bootId: 'boot-1', syncDelayMs: 60_000 });
        await assert.rejects(s.ingest(chunked(Buffer.from('not it')), sha('expected'), undefined, { lazySync: true }), InvalidParameterError);
        assert.equal(await s.stat(sha('expected')), undefined);
        assert.deepEqual(marks(r), []);
      });
    });

    it('after a reboot, drops a marked blob that lost data and keeps (unmarked) one that is intact; in the same boot keeps both marked', async () => {
      await inRoot(async (r) => {
        const before = new FsContentStore(r, { bootId: 'boot-1', syncDelayMs: 60_000 });
        const good = Buffer.alloc(2_000_000, 'good');
        const bad = Buffer.alloc(2_000_000, 'bad!');
        for (const d of [good, bad]) await before.ingest(chunked(d, 65536), sha(d), undefined, { lazySync: true });
        // What a crash before writeback can leave: the name, not all the data.
        writeFileSync(join(r, 'blobs/sha256', sha(bad).slice(7)), bad.subarray(0, 4096));
        const sameBoot = new FsContentStore(r, { bootId: 'boot-1', syncDelayMs: 60_000 });
        await sameBoot.cleanup();
        assert.deepEqual(marks(r), [sha(good).slice(7), sha(bad).slice(7)].sort());
        const rebooted = new FsContentStore(r, { bootId: 'boot-2' });
        await rebooted.cleanup();
        assert.deepEqual(marks(r), []);
        assert.deepEqual(await rebooted.get(sha(good)), good);
        assert.equal(await rebooted.stat(sha(bad)), undefined);
      });
    });
  });
});
