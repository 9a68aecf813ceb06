import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Host } from '../../host';
import type { Mount } from '../../stores/snapshots';
import { FsMetadataStore } from '../../stores/metadata/fs-metadata-store';
import { ANONYMOUS_LABEL, type VolumeUser } from './index';
import { LocalVolumeService } from './volume-service';

/** A host that records mounts instead of making them. */
class RecordingHost implements Host {
  readonly calls: string[] = [];
  async run() { return { code: 0, stdout: '', stderr: '' }; }
  async mount(mounts: Mount[], target: string) { this.calls.push(`mount ${mounts[0].type} ${path.basename(path.dirname(target))}`); }
  async unmount(target: string) { this.calls.push(`unmount ${path.basename(path.dirname(target))}`); }
}

async function withService(fn: (s: LocalVolumeService, host: RecordingHost, users: Map<string, VolumeUser[]>, root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync('/tmp/berth-unit-vol-');
  const host = new RecordingHost();
  const users = new Map<string, VolumeUser[]>();
  const events: string[] = [];
  const s = new LocalVolumeService({
    metadata: new FsMetadataStore(path.join(root, 'metadata')), host, dataRoot: root, log: () => undefined,
    events: { publish: (_t, action, id) => events.push(`${action} ${id}`) },
  });
  s.setUsers((n) => users.get(n) ?? []);
  try {
    await s.load();
    await fn(s, host, users, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('create is idempotent by name, validates names and drivers, and lands under volumes/<name>/_data', () => withService(async (s, _h, _u, root) => {
  const a = await s.create({ Name: 'data1', Labels: { k: 'v' } }) as { Mountpoint: string; Labels: object };
  assert.equal(a.Mountpoint, path.join(root, 'volumes', 'data1', '_data'));
  assert.equal(existsSync(a.Mountpoint), true);
  const again = await s.create({ Name: 'data1' }) as { Labels: object };
  assert.deepEqual(again.Labels, { k: 'v' }, 'the existing volume is returned');
  const anon = await s.create({}) as { Name: string };
  assert.match(anon.Name, /^[0-9a-f]{64}$/);
  await assert.rejects(s.create({ Name: '../x' }), /includes invalid characters/);
  await assert.rejects(s.create({ Name: 'a'.repeat(300) }), /volume name is longer than 240 characters/);
  await assert.rejects(s.create({ Name: 'ok1', Driver: 'nfs' }), (e: Error & { kind?: string }) => e.kind === 'NotFound');
  await assert.rejects(s.create({ Name: 'ok2', Labels: ['x'] as never }), /Labels must be an object/);
}));

test('in use by any container is a conflict naming them; force only skips a missing volume', () => withService(async (s, _h, users) => {
  await s.create({ Name: 'busy' });
  users.set('busy', [{ id: 'c1', running: false }]);
  await assert.rejects(s.remove('busy', { force: true }), /remove busy: volume is in use - \[c1\]/);
  await assert.rejects(s.remove('nope', { force: false }), /get nope: no such volume/);
  await s.remove('nope', { force: true });
}));

test('prune removes unused anonymous volumes, all unused ones with all=true or before API 1.42', () => withService(async (s, _h, users, root) => {
  await s.create({ Name: 'named1' });
  const anon = (await s.create({ Labels: { [ANONYMOUS_LABEL]: '' } }) as { Name: string }).Name;
  await s.create({ Name: 'used1', Labels: { [ANONYMOUS_LABEL]: '' } });
  users.set('used1', [{ id: 'c1', running: true }]);
  writeFileSync(path.join(root, 'volumes', anon, '_data', 'f'), '12345');
  assert.deepEqual(await s.prune({}, '1.45'), { VolumesDeleted: [anon], SpaceReclaimed: 5 });
  assert.deepEqual((await s.prune({ label: ['x'] }, '1.45')).VolumesDeleted, []);
  assert.deepEqual((await s.prune({}, '1.41')).VolumesDeleted, ['named1']);
  assert.deepEqual((await s.list({})).Volumes.map((v) => (v as { Name: string }).Name), ['used1']);
  await assert.rejects(s.prune({ until: ['1h'] }, '1.45'), /invalid filter 'until'/);
}));

test('list filters by name, label, driver and dangling', () => withService(async (s, _h, users) => {
  await s.create({ Name: 'alpha', Labels: { tier: 'db' } });
  await s.create({ Name: 'beta' });
  users.set('beta', [{ id: 'c', running: false }]);
  const names = async (f: Record<string, string[]>) => (await s.list(f)).Volumes.map((v) => (v as { Name: string }).Name).sort();
  assert.deepEqual(await names({ name: ['alp'] }), ['alpha']);
  assert.deepEqual(await names({ label: ['tier=db'] }), ['alpha']);
  assert.deepEqual(await names({ dangling: ['true'] }), ['alpha']);
  assert.deepEqual(await names({ dangling: ['0'] }), ['beta']);
  assert.deepEqual(await names({ driver: ['local'] }), ['alpha', 'beta']);
  await assert.rejects(s.list({ dangling: ['maybe'] }), /invalid filter 'dangling=maybe'/);
}));

test('a driver mount is made on first use and undone when no other running container needs it', () => withService(async (s, host) => {
  await s.create({ Name: 'ram', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
  await s.acquire('ram', 'c1');
  await s.acquire('ram', 'c2');
  assert.deepEqual(host.calls, ['mount tmpfs ram']);
  await s.release('ram', 'c1');
  assert.deepEqual(host.calls, ['mount tmpfs ram'], 'c2 still runs with it');
  await s.release('ram', 'c1');
  assert.deepEqual(host.calls, ['mount tmpfs ram'], 'a second release by the same container changes nothing');
  await s.release('ram', 'c2');
  assert.deepEqual(host.calls, ['mount tmpfs ram', 'unmount ram']);
  await s.create({ Name: 'plain' });
  await s.acquire('plain', 'c1');
  await s.release('plain', 'c1');
  assert.equal(host.calls.length, 2, 'a plain volume needs no mount');
}));

test('an empty directory without a record (a cut-short create) is swept at load; data without a record is kept', () => withService(async (s, _h, _u, root) => {
  await s.create({ Name: 'kept' });
  const orphan = path.join(root, 'volumes', 'orphan', '_data');
  const stray = path.join(root, 'volumes', 'stray', '_data');
  mkdirSync(orphan, { recursive: true });
  mkdirSync(stray, { recursive: true });
  writeFileSync(path.join(stray, 'precious'), 'x');
  await s.load();
  assert.equal(existsSync(orphan), false);
  assert.equal(existsSync(path.join(stray, 'precious')), true);
  assert.equal(existsSync(path.join(root, 'volumes', 'kept', '_data')), true);
}));
