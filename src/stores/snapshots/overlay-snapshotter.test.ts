// Tests of the overlay snapshotter against the real kernel: layers, whiteouts, copy-on-write, diff and commit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { listTar, tarBuffer } from '../../archive/tar-fixture';
import { ConflictError, InvalidParameterError, NotFoundError, SystemError } from '../../errors';
import { LinuxHost } from '../../host/linux';
import { chainIDs, OverlaySnapshotter } from './overlay-snapshotter';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const stream = (b: Buffer) => Readable.from([b], { objectMode: false });

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('OverlaySnapshotter', () => {
  const host = new LinuxHost();
  let tmp: string;
  let root: string;
  let snap: OverlaySnapshotter;
  const mounted: string[] = [];
  let base: Buffer;
  let child: Buffer;
  let chain: string[];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'berth-snap-'));
    root = join(tmp, 'snapshots');
    snap = new OverlaySnapshotter(root, host);
    base = await tarBuffer([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/hostname', data: 'base\n' },
      { name: 'etc/old', data: 'old\n' },
      { name: 'keep/a', data: 'a\n' },
      { name: 'opq/x', data: 'x\n' },
      { name: '.wh.ignored-in-base', data: '' },
    ]);
    child = await tarBuffer([
      { name: 'etc/.wh.old', data: '' },
      { name: 'etc/new', data: 'new\n' },
      { name: 'opq/', type: 'directory' },
      { name: 'opq/.wh..wh..opq', data: '' },
      { name: 'opq/y', data: 'y\n' },
    ]);
    chain = chainIDs([sha(base), sha(child)]);
  });

  after(async () => {
    for (const m of mounted.reverse()) await host.unmount(m);
    rmSync(tmp, { recursive: true, force: true });
  });

  async function mountAt(key: string, name: string): Promise<string> {
    const target = join(tmp, name);
    mkdirSync(target, { recursive: true });
    await host.mount(await snap.mounts(key), target);
    mounted.push(target);
    return target;
  }

  it('computes chainIDs as the OCI image-spec says', () => {
    const [a, b, c] = [sha('a'), sha('b'), sha('c')];
    const ab = sha(`${a} ${b}`);
    assert.deepEqual(chainIDs([a, b, c]), [a, ab, sha(`${ab} ${c}`)]);
    assert.deepEqual(chainIDs([]), []);
  });

  it('applies a gzip base layer under its diffID', async () => {
    const r = await snap.applyLayer(undefined, stream(gzipSync(base)), sha(base));
    assert.deepEqual(r, { chainID: sha(base), diffID: sha(base), size: base.length });
    assert.ok(await snap.hasLayer(r.chainID));
    const fs = snap.path(r.chainID);
    assert.ok(!fs.slice(root.length).includes(':'));
    assert.equal(readFileSync(join(fs, 'etc/hostname'), 'utf8'), 'base\n');
    assert.ok(!existsSync(join(fs, 'ignored-in-base')) && !existsSync(join(fs, '.wh.ignored-in-base')));
  });

  it('applies a child layer above its parent, with whiteouts in overlay form', async () => {
    const r = await snap.applyLayer(chain[0], stream(child));
    assert.deepEqual(r, { chainID: chain[1], diffID: sha(child), size: child.length });
    const wh = lstatSync(join(snap.path(chain[1]!), 'etc/old'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
  });

  it('returns the existing layer when applied twice and keeps no copy', async () => {
    const before = readdirSync(root).sort();
    const r = await snap.applyLayer(chain[0], stream(child));
    assert.equal(r.chainID, chain[1]);
    assert.deepEqual(readdirSync(root).sort(), before);
  });

  it('keeps nothing when the diffID does not match', async () => {
    const before = readdirSync(root).sort();
    const other = await tarBuffer([{ name: 'z', data: 'z' }]);
    await assert.rejects(snap.applyLayer(chain[1], stream(other), sha('not it')), InvalidParameterError);
    await assert.rejects(snap.applyLayer(sha('no parent'), stream(other)), NotFoundError);
    assert.deepEqual(readdirSync(root).sort(), before);
  });

  it('unpacks a child while its parent is still being applied, committing it only after the parent', async () => {
    const b2 = await tarBuffer([{ name: 'b2', data: 'base two\n' }]);
    const c2 = await tarBuffer([{ name: 'c2', data: 'child two\n' }, { name: '.wh.b2', data: '' }]);
    const [p2, k2] = chainIDs([sha(b2), sha(c2)]);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const parentApplied = gate.then(() => snap.applyLayer(undefined, stream(b2), sha(b2)));
    const childApplied = snap.applyLayer(p2, stream(c2), sha(c2), undefined, parentApplied);
    // The child cannot be committed before its parent exists.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await snap.hasLayer(k2), false);
    release();
    assert.equal((await childApplied).chainID, k2);
    assert.ok(await snap.hasLayer(p2));
    assert.ok(lstatSync(join(snap.path(k2), 'b2')).isCharacterDevice());
    await snap.remove(k2);
    await snap.remove(p2);
  });

  it('keeps nothing of a child whose parent fails', async () => {
    const before = readdirSync(root).sort();
    const c3 = await tarBuffer([{ name: 'c3', data: 'three\n' }]);
    const failed = Promise.reject(new Error('parent download failed'));
    await assert.rejects(snap.applyLayer(sha('never applied'), stream(c3), sha(c3), undefined, failed), /parent download failed/);
    assert.deepEqual(readdirSync(root).sort(), before);
  });

  it('mounts an overlay that hides whited-out files and copies on write', async () => {
    await snap.prepare('c1', chain[1]);
    const m = await snap.mounts('c1');
    assert.equal(m.length, 1);
    assert.equal(m[0]!.type, 'overlay');
    assert.deepEqual(m[0]!.options[0], `lowerdir=${snap.path(chain[1]!)}:${snap.path(chain[0]!)}`);
    const merged = await mountAt('c1', 'merged-c1');
    assert.ok(!existsSync(join(merged, 'etc/old')), 'whiteout hides the lower file');
    assert.deepEqual(readdirSync(join(merged, 'opq')), ['y'], 'opaque dir hides lower contents');
    assert.equal(readFileSync(join(merged, 'etc/new'), 'utf8'), 'new\n');
    writeFileSync(join(merged, 'etc/hostname'), 'container\n');
    unlinkSync(join(merged, 'keep/a'));
    assert.equal(readFileSync(join(snap.path(chain[0]!), 'etc/hostname'), 'utf8'), 'base\n', 'lower layer untouched');
    assert.ok(existsSync(join(snap.path(chain[0]!), 'keep/a')));
    assert.equal(readFileSync(join(snap.path('c1'), 'etc/hostname'), 'utf8'), 'container\n');
  });

  it('diffs the upper dir into a layer with .wh. entries and commits it', async () => {
    const entries = await listTar(await collect(snap.diff('c1')));
    const names = entries.map((e) => e.name);
    assert.ok(names.includes('etc/hostname'), names.join());
    assert.ok(names.includes('keep/.wh.a'), names.join());
    const r = await snap.commit('c1');
    assert.equal(r.chainID, chainIDs([sha(base), sha(child), r.diffID])[2]);
    await snap.prepare('c2', r.chainID);
    const merged = await mountAt('c2', 'merged-c2');
    assert.equal(readFileSync(join(merged, 'etc/hostname'), 'utf8'), 'container\n');
    assert.ok(!existsSync(join(merged, 'keep/a')));
    assert.ok(!existsSync(join(merged, 'etc/old')));
  });

  it('commitMove makes the upper dir itself the layer, the same one commit would make', async () => {
    await snap.prepare('m1', chain[1]);
    const merged = await mountAt('m1', 'merged-m1');
    writeFileSync(join(merged, 'moved'), 'moved\n');
    unlinkSync(join(merged, 'keep/a'));
    await host.unmount(mounted.pop()!);
    const tar = await collect(snap.diff('m1'));
    const r = await snap.commitMove('m1', sha(tar), tar.length);
    assert.equal(r.chainID, chainIDs([sha(base), sha(child), sha(tar)])[2]);
    assert.ok(!(await snap.list()).some((s) => s.name === 'm1'), 'the active snapshot is gone');
    assert.equal(readFileSync(join(snap.path(r.chainID), 'moved'), 'utf8'), 'moved\n');
    await snap.prepare('m2', r.chainID);
    const over = await mountAt('m2', 'merged-m2');
    assert.ok(!existsSync(join(over, 'keep/a')), 'the whiteout moved with the dir');
    await host.unmount(mounted.pop()!);
    await snap.remove('m2');
    await snap.remove(r.chainID);
    await assert.rejects(snap.commitMove('m1', sha(tar), 0), NotFoundError);
  });

  it('makes the same diff twice from an unchanged upper dir, and the same tar again from the layer commitMove made of it', async () => {
    await snap.prepare('r1', chain[1]);
    const merged = await mountAt('r1', 'merged-r1');
    // What makes a diff nondeterministic if done carelessly: order, hardlinks, whiteouts, opaque dirs, links.
    for (const n of ['zeta', 'alpha', 'Mid', 'é']) writeFileSync(join(merged, n), `${n}\n`);
    mkdirSync(join(merged, 'dir/sub'), { recursive: true });
    writeFileSync(join(merged, 'dir/sub/b'), 'b\n');
    linkSync(join(merged, 'dir/sub/b'), join(merged, 'dir/a-link'));
    linkSync(join(merged, 'dir/sub/b'), join(merged, 'z-link'));
    symlinkSync('../etc/hostname', join(merged, 'dir/sym'));
    unlinkSync(join(merged, 'etc/hostname'));
    rmSync(join(merged, 'opq'), { recursive: true });
    mkdirSync(join(merged, 'opq'));
    writeFileSync(join(merged, 'opq/fresh'), 'fresh\n');
    await host.unmount(mounted.pop()!);
    const first = await collect(snap.diff('r1'));
    const second = await collect(snap.diff('r1'));
    assert.equal(sha(second), sha(first), 'two diffs of one dir are byte for byte equal');
    const names = (await listTar(first)).map((e) => e.name);
    assert.ok(names.includes('etc/.wh.hostname') && names.includes('opq/.wh..wh..opq'), names.join());
    assert.equal((await listTar(first)).find((e) => e.name === 'z-link')?.type, 'link');
    const r = await snap.commitMove('r1', sha(first), first.length);
    const again = await snap.layerTar(sha(first));
    assert.ok(again, 'the committed layer can make its tar');
    assert.equal(again.size, first.length);
    assert.equal(sha(await collect(again.stream)), sha(first));
    // A layer whose files changed (or were lost in a crash) is refused, never passed on as the layer.
    writeFileSync(join(snap.path(r.chainID), 'alpha'), 'tampered\n');
    const bad = await snap.layerTar(sha(first));
    await assert.rejects(collect(bad!.stream), (err) => err instanceof SystemError && /corrupt/.test(err.message));
    assert.equal(await snap.layerTar(sha('no such layer')), undefined);
    assert.equal(await snap.layerTar(sha(child)), undefined, 'a layer unpacked from a tar is not made again');
    await snap.remove(r.chainID);
    assert.equal(await snap.layerTar(sha(first)), undefined);
  });

  it('after a reboot, drops a layer committed without sync whose files were lost, and keeps the intact and the synced ones', async () => {
    const opts = { bootId: 'boot-1', syncDelayMs: 3_600_000 };
    const before = new OverlaySnapshotter(root, host, opts);
    const commitOne = async (key: string, file: string) => {
      await before.prepare(key, chain[1]);
      writeFileSync(join(before.path(key), file), `${file}\n`);
      const tar = await collect(before.diff(key));
      return { ...(await before.commitMove(key, sha(tar), tar.length)), tar };
    };
    const lost = await commitOne('b1', 'lost');
    const intact = await commitOne('b2', 'intact');
    // What a crash before writeback leaves: the file is there, its data is not.
    writeFileSync(join(before.path(lost.chainID), 'lost'), '');
    await new OverlaySnapshotter(root, host, opts).cleanup();
    assert.ok(await before.hasLayer(lost.chainID), 'in the same boot the page cache had the data: nothing is dropped');

    const rebooted = new OverlaySnapshotter(root, host, { ...opts, bootId: 'boot-2' });
    await rebooted.cleanup();
    assert.equal(await rebooted.hasLayer(lost.chainID), false, 'the damaged layer is gone');
    assert.ok(!existsSync(rebooted.path(lost.chainID)));
    assert.ok(await rebooted.hasLayer(intact.chainID));
    assert.equal(sha(await collect((await rebooted.layerTar(intact.diffID))!.stream)), sha(intact.tar));

    // A layer synced after its commit is trusted across reboots without being read again.
    const synced = await commitOne('b3', 'synced');
    await before.syncLayers();
    writeFileSync(join(before.path(synced.chainID), 'synced'), 'changed after the sync\n');
    await new OverlaySnapshotter(root, host, { ...opts, bootId: 'boot-3' }).cleanup();
    assert.ok(await before.hasLayer(synced.chainID));
    for (const c of [intact.chainID, synced.chainID]) await before.remove(c);
  });

  it('prepares parentless snapshots as a bind mount and refuses duplicates', async () => {
    await snap.prepare('scratch', undefined);
    assert.deepEqual(await snap.mounts('scratch'), [{ type: 'bind', source: snap.path('scratch'), options: ['rbind', 'rw'] }]);
    await assert.rejects(snap.prepare('scratch', undefined), ConflictError);
    await assert.rejects(snap.prepare('orphan', sha('nothing')), NotFoundError);
    await assert.rejects(snap.mounts('nope'), NotFoundError);
    await assert.rejects(collect(snap.diff('nope')), NotFoundError);
    await assert.rejects(snap.prepare(chain[0]!, undefined), InvalidParameterError);
    await snap.prepare('weird/key:1', undefined);
    assert.ok(!snap.path('weird/key:1').slice(root.length).includes(':'));
    await snap.remove('weird/key:1');
  });

  it('lists snapshots and refuses to remove a parent in use', async () => {
    const list = await snap.list();
    const c1 = list.find((s) => s.name === 'c1');
    assert.deepEqual(c1 && { kind: c1.kind, parent: c1.parent }, { kind: 'active', parent: chain[1] });
    await assert.rejects(snap.remove(chain[0]!), (err) => err instanceof ConflictError && err.message.includes(chain[0]!));
    assert.ok((await snap.usage(chain[0]!)) >= 'base\nold\na\nx\n'.length);
  });

  it('removes record then files, and cleanup sweeps directories without records', async () => {
    for (const m of mounted.splice(0).reverse()) await host.unmount(m);
    const top = (await snap.list()).find((s) => s.kind === 'committed' && s.parent === chain[1])!.name;
    await snap.remove('c2');
    await snap.remove(top);
    await snap.remove('c1');
    await snap.remove(chain[1]!);
    await snap.remove(chain[0]!);
    await snap.remove(chain[0]!);
    await snap.remove('scratch');
    assert.deepEqual(await snap.list(), []);
    mkdirSync(join(root, 'tmp-leftover/fs'), { recursive: true });
    mkdirSync(join(root, 'a-stray/fs'), { recursive: true });
    await snap.cleanup();
    assert.deepEqual(readdirSync(root), ['records']);
  });

  it('never lets a hostile layer write outside the snapshot', async () => {
    const sentinel = join(tmp, 'sentinel');
    mkdirSync(sentinel, { recursive: true });
    writeFileSync(join(sentinel, 'f'), 'safe');
    const evil = await tarBuffer([
      { name: 'up', type: 'symlink', linkname: '../../../sentinel' },
      { name: 'up/f', data: 'evil' },
      { name: '../../sentinel/g', data: 'evil' },
      { name: 'abs', type: 'symlink', linkname: sentinel },
      { name: 'abs/h', data: 'evil' },
    ]);
    const r = await snap.applyLayer(undefined, stream(evil));
    assert.equal(readFileSync(join(sentinel, 'f'), 'utf8'), 'safe');
    assert.deepEqual(readdirSync(sentinel), ['f']);
    assert.equal(readFileSync(join(snap.path(r.chainID), 'sentinel/f'), 'utf8'), 'evil');
    await snap.remove(r.chainID);
  });
});
