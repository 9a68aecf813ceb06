import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymousVolumes, explicitMounts, parseApiMount, parseBind, parseVolumesFrom } from './mount-spec';

const exists = (p: string) => p === '/srv/data';

test('a -v source that is a path is a bind, a name a volume, a lone path an anonymous volume', () => {
  assert.deepEqual(parseBind('/srv/data:/data:ro'), { Type: 'bind', Source: '/srv/data', Destination: '/data', Mode: 'ro', RW: false, Propagation: 'rprivate' });
  assert.deepEqual(parseBind('cache:/var/cache'), {
    Type: 'volume', Name: 'cache', Source: '', Destination: '/var/cache', Driver: 'local', Mode: 'z', RW: true, Propagation: '', CopyData: true,
  });
  const nocopy = parseBind('cache:/c:ro,nocopy');
  assert.equal(nocopy.RW, false);
  assert.equal(nocopy.CopyData, false);
  assert.equal(parseBind('/scratch').Name, '');
  assert.equal(parseBind('/a:/b:rshared').Propagation, 'rshared');
});

test('bad -v specs are refused with Docker\'s words', () => {
  assert.throws(() => parseBind('a:/b:ro:x'), /invalid volume specification: 'a:\/b:ro:x'/);
  assert.throws(() => parseBind('name:relative'), /invalid mount path: 'relative' mount path must be absolute/);
  assert.throws(() => parseBind('bad name:/x'), /"bad name" includes invalid characters for a local volume name/);
  assert.throws(() => parseBind('x:/y'), /includes invalid characters/, 'one-character names are refused, as in Docker');
  assert.throws(() => parseBind('vol:/y:rshared'), /invalid mode: rshared/, 'propagation is for binds only');
  assert.throws(() => parseBind('vol:/'), /destination can't be '\/'/);
  assert.throws(() => parseBind(''), /invalid volume specification/);
});

test('--mount entries of each type, with their options', () => {
  assert.deepEqual(parseApiMount({ Type: 'bind', Source: '/srv/data', Target: '/d', ReadOnly: true, BindOptions: { Propagation: 'rslave' } }, exists),
    { Type: 'bind', Source: '/srv/data', Destination: '/d', Mode: '', RW: false, Propagation: 'rslave' });
  const vol = parseApiMount({ Type: 'volume', Source: 'v1', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs' } } } }, exists);
  assert.equal(vol.Name, 'v1');
  assert.equal(vol.Mode, 'z');
  assert.equal(vol.CopyData, false);
  assert.deepEqual(vol.create, { labels: { a: 'b' }, driverOpts: { type: 'tmpfs' } });
  const tmp = parseApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } }, exists);
  assert.deepEqual(tmp.TmpfsOptions, { SizeBytes: 1024, Mode: 0o1777 });
});

test('bad --mount entries are 400s naming the problem, an unknown driver a 404', () => {
  assert.throws(() => parseApiMount({ Type: 'bind', Source: '/nope', Target: '/d' }, exists), /bind source path does not exist: \/nope/);
  assert.throws(() => parseApiMount({ Type: 'volume', Source: 'v' }, exists), /field Target must not be empty/);
  assert.throws(() => parseApiMount({ Type: 'tmpfs', Source: '/x', Target: '/t' }, exists), /Source must not be specified/);
  assert.throws(() => parseApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { Mode: -1 } }, exists), /invalid mode/);
  assert.throws(() => parseApiMount({ Type: 'volume', Target: '/v', BindOptions: {} }, exists), /BindOptions must not be specified/);
  assert.throws(() => parseApiMount({ Type: 'npipe', Target: '/v' }, exists), /mount type unknown/);
  assert.throws(() => parseApiMount({ Type: 'volume', Target: '/v', VolumeOptions: { DriverConfig: { Name: 'nfs-plugin' } } }, exists),
    (err: Error & { kind?: string }) => err.kind === 'NotFound' && /plugin "nfs-plugin" not found/.test(err.message));
});

test('Binds and Mounts may not share a destination; anonymous volumes fill only free ones', () => {
  assert.throws(() => explicitMounts({ Binds: ['a1:/x'], Mounts: [{ Type: 'volume', Target: '/x/' }] }, exists), /Duplicate mount point: \/x/);
  const taken = new Set(['/data']);
  const anon = anonymousVolumes({ '/data': {}, '/logs': {} }, taken);
  assert.deepEqual(anon.map((m) => m.Destination), ['/logs']);
  assert.equal(anon[0].Name, '');
  assert.throws(() => anonymousVolumes({ relative: {} }, new Set()), /mount path must be absolute/);
});

test('--volumes-from takes a container and an optional ro or rw', () => {
  assert.deepEqual(parseVolumesFrom('web'), { container: 'web', rw: undefined });
  assert.deepEqual(parseVolumesFrom('web:ro'), { container: 'web', rw: false });
  assert.deepEqual(parseVolumesFrom('web:rw'), { container: 'web', rw: true });
  assert.throws(() => parseVolumesFrom('web:rx'), /invalid mode for volumes-from: web:rx/);
});
