// Tests of the archive service with a recording runtime and host: who is frozen and mounted around a copy, and Docker's refusals.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { identityOf } from '../../archive/fd-handoff';
import { tarBuffer } from '../../archive/tar-fixture';
import { LocalArchiveService } from './archive';
import { ContainerContext, type ContainerDeps } from './context';
import { newState, type ContainerRecord, type MountPoint } from './record';

function record(id: string, rootfsPath: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id, name: `/${id}`, created: '', path: 'sh', args: [], image: 'sha256:x', restartCount: 0, mounts: [], logPath: '',
    rootfsPath, hostsPath: '', hostnamePath: '', resolvConfPath: '', networkSettings: {}, state: newState(),
    config: { Labels: {}, Image: 'busybox', User: '' } as unknown as ContainerRecord['config'], hostConfig: {}, ...over,
  };
}

function bind(source: string, destination: string, rw = true): MountPoint {
  return { Type: 'bind', Source: source, Destination: destination, Mode: '', RW: rw, Propagation: 'rprivate' };
}

describe('LocalArchiveService', () => {
  let tmp: string;
  let calls: string[];
  let ctx: ContainerContext;
  let svc: LocalArchiveService;
  let failPause = '';
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'berth-archive-'));
    mkdirSync(join(tmp, 'rootfs/etc'), { recursive: true });
    writeFileSync(join(tmp, 'rootfs/etc/hello'), 'hello\n');
    mkdirSync(join(tmp, 'shared'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  function setup(records: ContainerRecord[]): void {
    calls = [];
    const deps = {
      runtime: {
        pause: async (id: string) => { if (id === failPause) throw new Error('pause failed'); calls.push(`pause ${id}`); },
        resume: async (id: string) => { calls.push(`resume ${id}`); },
        state: async () => ({ status: 'running', pid: 1 }),
      },
      host: {
        mount: async (_m: unknown, target: string) => { calls.push(`mount ${target}`); },
        unmount: async (target: string) => { calls.push(`unmount ${target}`); },
      },
      snapshots: { mounts: async () => [] },
      log: () => undefined,
    } as unknown as ContainerDeps;
    ctx = new ContainerContext(deps);
    for (const r of records) ctx.records.set(r.id, r);
    svc = new LocalArchiveService(ctx, { freeze: (id) => deps.runtime.pause(id), thaw: (id) => deps.runtime.resume(id) });
  }

  function running(id: string, mounts: MountPoint[], paused = false): ContainerRecord {
    return record(id, '/nowhere', { mounts, state: { ...newState(), Status: 'running', Running: true, Paused: paused, Pid: 1 } });
  }

  it('mounts a stopped container for the copy, freezes the running ones sharing its mounts, and undoes both after', async () => {
    const shared = join(tmp, 'shared');
    setup([
      record('stopped', join(tmp, 'rootfs'), { mounts: [bind(shared, '/data')] }),
      running('sharer', [bind(shared, '/elsewhere')]),
      running('pausedsharer', [bind(shared, '/x')], true),
      running('stranger', [bind(join(tmp, 'other'), '/data')]),
    ]);
    await svc.put('stopped', '/data', Readable.from([await tarBuffer([{ name: 'in', data: 'via bind\n' }])]), { noOverwriteDirNonDir: true, copyUIDGID: false });
    assert.equal(readFileSync(join(shared, 'in'), 'utf8'), 'via bind\n');
    assert.deepEqual(calls, ['pause sharer', `mount ${join(tmp, 'rootfs')}`, `unmount ${join(tmp, 'rootfs')}`, 'resume sharer']);
  });

  it('answers a missing path with Docker\'s 404 and still unmounts', async () => {
    setup([record('stopped', join(tmp, 'rootfs'))]);
    await assert.rejects(svc.stat('stopped', '/no/such'), { kind: 'NotFound', message: 'Could not find the file /no/such in container stopped' });
    assert.deepEqual(calls, [`mount ${join(tmp, 'rootfs')}`, `unmount ${join(tmp, 'rootfs')}`]);
  });

  it('holds the container until the tar of a GET is read', async () => {
    setup([record('stopped', join(tmp, 'rootfs'))]);
    const { stat, tar, released } = await svc.get('stopped', '/etc/hello');
    assert.equal(stat.name, 'hello');
    assert.deepEqual(calls, [`mount ${join(tmp, 'rootfs')}`]);
    for await (const _ of tar) { /* drain */ }
    await released;
    assert.deepEqual(calls, [`mount ${join(tmp, 'rootfs')}`, `unmount ${join(tmp, 'rootfs')}`]);
  });

  it('holds the container while a fast copy out has the file open, and answers undefined for what is not a regular file', async () => {
    setup([record('stopped', join(tmp, 'rootfs'))]);
    const file = await svc.openFile('stopped', '/etc/hello');
    assert.ok(file);
    assert.equal(readFileSync(file.source.path, 'utf8'), 'hello\n');
    assert.deepEqual(calls, [`mount ${join(tmp, 'rootfs')}`]);
    file.close();
    await svc.stat('stopped', '/');
    assert.deepEqual(calls.slice(0, 2), [`mount ${join(tmp, 'rootfs')}`, `unmount ${join(tmp, 'rootfs')}`]);
    assert.equal(await svc.openFile('stopped', '/etc'), undefined);
  });

  it('copies a fast copy in where put would extract it, with the same refusals; a source not as described is not copied', async () => {
    setup([record('stopped', join(tmp, 'rootfs'), { hostConfig: { ReadonlyRootfs: false }, mounts: [bind(join(tmp, 'shared'), '/data', false)] })]);
    const src = join(tmp, 'fast-src');
    writeFileSync(src, 'fast\n');
    const fd = openSync(src, 'r');
    try {
      const source = { path: `/proc/${process.pid}/fd/${fd}`, ...identityOf(lstatSync(src, { bigint: true })) };
      const opts = { noOverwriteDirNonDir: true, copyUIDGID: false };
      assert.equal(await svc.copyFileIn('stopped', '/etc', 'fast', source, opts), true);
      assert.equal(readFileSync(join(tmp, 'rootfs/etc/fast'), 'utf8'), 'fast\n');
      await assert.rejects(svc.copyFileIn('stopped', '/data', 'fast', source, opts), { kind: 'InvalidParameter', message: 'mounted volume is marked read-only' });
      await assert.rejects(svc.copyFileIn('stopped', '/', 'etc', source, opts), { kind: 'Conflict' });
      await assert.rejects(svc.copyFileIn('stopped', '/etc', '../escape', source, opts), { kind: 'InvalidParameter' });
      assert.equal(await svc.copyFileIn('stopped', '/etc', 'other', { ...source, size: '1' }, opts), false);
      assert.equal(existsSync(join(tmp, 'rootfs/etc/other')), false);
    } finally {
      closeSync(fd);
    }
  });

  it('refuses writes to a read-only root or mount with Docker\'s messages', async () => {
    setup([
      record('ro', join(tmp, 'rootfs'), { hostConfig: { ReadonlyRootfs: true }, mounts: [bind(join(tmp, 'shared'), '/data', false)] }),
    ]);
    const empty = () => Readable.from([Buffer.alloc(1024)]);
    const opts = { noOverwriteDirNonDir: false, copyUIDGID: false };
    await assert.rejects(svc.put('ro', '/etc', empty(), opts), { kind: 'InvalidParameter', message: 'container rootfs is marked read-only' });
    await assert.rejects(svc.put('ro', '/data', empty(), opts), { kind: 'InvalidParameter', message: 'mounted volume is marked read-only' });
    await assert.rejects(svc.put('ro', '/etc/hello', empty(), opts), { kind: 'InvalidParameter', message: 'extraction point is not a directory' });
  });

  it('fails the copy and thaws what it froze when the container itself cannot be paused', async () => {
    const shared = join(tmp, 'shared');
    setup([running('a', [bind(shared, '/s')]), running('b', [bind(shared, '/s')])]);
    failPause = 'b';
    try {
      await assert.rejects(svc.stat('b', '/'), /pause failed/);
      assert.deepEqual(calls, ['pause a', 'resume a']);
    } finally {
      failPause = '';
    }
  });
});
