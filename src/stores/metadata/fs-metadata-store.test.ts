// Tests of the filesystem metadata store: atomic JSON records and strict names.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidParameterError } from '../../errors';
import { FsMetadataStore } from './fs-metadata-store';

describe('FsMetadataStore', () => {
  let root: string;
  before(() => { root = mkdtempSync(join(tmpdir(), 'berth-meta-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('an unsynced put replaces the record as atomically and leaves no temp file', async () => {
    const s = new FsMetadataStore(root);
    await s.put('unsynced', 'abc', { n: 1 });
    await s.put('unsynced', 'abc', { n: 2 }, { sync: false });
    assert.deepEqual(await s.get('unsynced', 'abc'), { n: 2 });
    assert.deepEqual(readdirSync(join(root, 'unsynced')), ['abc.json']);
  });

  it('puts, gets, lists, replaces and deletes records', async () => {
    const s = new FsMetadataStore(root);
    assert.equal(await s.get('containers', 'abc'), undefined);
    await s.put('containers', 'abc', { id: 'abc', n: 1 });
    await s.put('containers', 'def', { id: 'def', n: 2 });
    await s.put('containers', 'abc', { id: 'abc', n: 3 });
    assert.deepEqual(await s.get('containers', 'abc'), { id: 'abc', n: 3 });
    assert.deepEqual((await s.list<{ id: string }>('containers')).map((r) => r.id).sort(), ['abc', 'def']);
    assert.deepEqual((await s.ids('containers')).sort(), ['abc', 'def']);
    assert.deepEqual(readdirSync(join(root, 'containers')).sort(), ['abc.json', 'def.json']);
    await s.delete('containers', 'abc');
    await s.delete('containers', 'abc');
    assert.equal(await s.get('containers', 'abc'), undefined);
    assert.deepEqual(await s.list('nothing-yet'), []);
  });

  it('rejects kinds and ids that could leave the root', async () => {
    const s = new FsMetadataStore(root);
    for (const bad of ['../x', '..', '.', '.hidden', 'a/b', '', 'a\0b', 'x'.repeat(300)]) {
      await assert.rejects(s.put('images', bad, {}), InvalidParameterError, bad);
      await assert.rejects(s.put(bad, 'id', {}), InvalidParameterError, bad);
      await assert.rejects(s.get('images', bad), InvalidParameterError, bad);
      await assert.rejects(s.delete('images', bad), InvalidParameterError, bad);
    }
    assert.ok(!existsSync(join(tmpdir(), 'x.json')));
  });

  it('skips corrupt records in list and reports them', async () => {
    const seen: string[] = [];
    const s = new FsMetadataStore(root, { onCorrupt: (kind, id) => seen.push(`${kind}/${id}`) });
    await s.put('vols', 'good', { ok: true });
    writeFileSync(join(root, 'vols', 'bad.json'), '{"half":');
    assert.deepEqual(await s.list('vols'), [{ ok: true }]);
    assert.deepEqual(seen, ['vols/bad']);
    await assert.rejects(s.get('vols', 'bad'), /vols record bad is corrupt/);
  });

  it('hides and sweeps temp files of interrupted writes', async () => {
    const s = new FsMetadataStore(root);
    await s.put('nets', 'n1', { n: 1 });
    writeFileSync(join(root, 'nets', '.n1.tmp-deadbeef'), '{"n":');
    assert.deepEqual(await s.list('nets'), [{ n: 1 }]);
    await s.cleanup();
    assert.deepEqual(readdirSync(join(root, 'nets')), ['n1.json']);
  });

  it('survives concurrent writers of one record', async () => {
    const s = new FsMetadataStore(root);
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.put('race', 'one', { i })));
    const r = await s.get<{ i: number }>('race', 'one');
    assert.ok(r && r.i >= 0 && r.i < 20);
    assert.deepEqual(readdirSync(join(root, 'race')), ['one.json']);
  });
});
