// Volumes through berthd with the real docker CLI: named and anonymous volumes, seeding, --volumes-from, --mount, driver options, in-use, prune, restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extract, pack } from 'tar-stream';
import { busyboxRootfsTar } from '../../src/baseimage/busybox';
import { ApiError } from '../../src/client/errors';
import { useDaemon } from './harness';

const ctx = useDaemon();
const NONE = ['--network', 'none'];

/** busybox plus /data (uid 1234, mode 0750) holding seed.txt (mode 0640), imported with `VOLUME /data`. */
async function makeVolumeImage(): Promise<void> {
  const out = pack();
  const input = extract();
  input.on('entry', (header, stream, next) => {
    stream.pipe(out.entry(header, next));
  });
  input.on('finish', () => {
    out.entry({ name: 'data/', type: 'directory', mode: 0o750, uid: 1234, gid: 99 });
    out.entry({ name: 'data/seed.txt', mode: 0o640, uid: 1234, gid: 99 }, 'from the image\n');
    out.finalize();
  });
  busyboxRootfsTar().pipe(input);
  const chunks: Buffer[] = [];
  for await (const c of out) chunks.push(c as Buffer);
  const r = await ctx.d.docker(['import', '-c', 'VOLUME /data', '-c', 'CMD ["sh"]', '-', 'withvol:1'], { input: Buffer.concat(chunks) });
  assert.equal(r.code, 0, r.stderr);
}

const volumeNames = async () => (await ctx.d.docker(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean);

test('volume create, ls, inspect and rm answer as Docker does', async () => {
  const created = await ctx.d.docker(['volume', 'create', '--label', 'team=blue', 'plain1']);
  assert.equal(created.stdout, 'plain1\n', created.stderr);
  const ls = await ctx.d.docker(['volume', 'ls', '--filter', 'label=team=blue']);
  assert.equal(ls.stdout, 'DRIVER    VOLUME NAME\nlocal     plain1\n');
  const [v] = JSON.parse((await ctx.d.docker(['volume', 'inspect', 'plain1'])).stdout);
  assert.equal(v.Name, 'plain1');
  assert.equal(v.Driver, 'local');
  assert.equal(v.Scope, 'local');
  assert.deepEqual(v.Labels, { team: 'blue' });
  assert.equal(v.Mountpoint, path.join(ctx.d.dataRoot, 'volumes', 'plain1', '_data'));
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(existsSync(v.Mountpoint), true);
  const anon = await ctx.d.docker(['volume', 'create']);
  assert.match(anon.stdout, /^[0-9a-f]{64}\n$/);
  const byName = await ctx.d.docker(['volume', 'ls', '-q', '--filter', 'name=plain']);
  assert.equal(byName.stdout, 'plain1\n');
  const rm = await ctx.d.docker(['volume', 'rm', 'plain1', anon.stdout.trim()]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(existsSync(v.Mountpoint), false);
  const gone = await ctx.d.docker(['volume', 'inspect', 'plain1']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /no such volume/);
  assert.equal((await ctx.d.docker(['volume', 'rm', '-f', 'plain1'])).code, 0, 'force skips a missing volume');
});

test('a named volume is created on first use, seeded from the image, and survives its container', async () => {
  const first = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'etcvol:/etc', 'busybox', 'sh', '-c', 'cat /etc/passwd | head -1; echo mine > /etc/note']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^root:/);
  assert.deepEqual(await volumeNames(), ['etcvol'], 'the named volume stays after --rm');
  const again = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'etcvol:/data:ro', 'busybox', 'sh', '-c', 'cat /data/note; ls /data/passwd; touch /data/x 2>&1 || echo read-only']);
  assert.match(again.stdout, /^mine\n\/data\/passwd\n.*\n?read-only\n$/s);
  // A volume holding data is not seeded again: the image's /etc/group stays out of a volume first used elsewhere.
  await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'other:/somewhere', 'busybox', 'sh', '-c', 'echo kept > /somewhere/f']);
  const noReseed = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'other:/etc', 'busybox', 'ls', '/etc']);
  assert.doesNotMatch(noReseed.stdout, /passwd|group/);
  const nocopy = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'empty1:/etc:nocopy', 'busybox', 'sh', '-c', 'ls /etc']);
  assert.doesNotMatch(nocopy.stdout, /passwd/, 'nocopy leaves the volume empty');
  assert.equal((await ctx.d.docker(['volume', 'rm', 'etcvol', 'other', 'empty1'])).code, 0);
});

test('image VOLUMEs become anonymous volumes, seeded with owners and modes, removed by rm -v and --rm', async () => {
  await makeVolumeImage();
  const run = await ctx.d.docker(['run', '--name', 'anon1', ...NONE, 'withvol:1', 'sh', '-c', 'cat /data/seed.txt; stat -c "%u %g %a" /data /data/seed.txt']);
  assert.equal(run.stdout, 'from the image\n1234 99 750\n1234 99 640\n', run.stderr);
  const mounts = JSON.parse((await ctx.d.docker(['inspect', '-f', '{{json .Mounts}}', 'anon1'])).stdout);
  assert.equal(mounts.length, 1);
  const m = mounts[0];
  assert.deepEqual(Object.keys(m), ['Type', 'Name', 'Source', 'Destination', 'Driver', 'Mode', 'RW', 'Propagation']);
  assert.equal(m.Type, 'volume');
  assert.match(m.Name, /^[0-9a-f]{64}$/);
  assert.equal(m.Destination, '/data');
  assert.equal(m.Driver, 'local');
  assert.equal(m.RW, true);
  assert.equal(m.Source, path.join(ctx.d.dataRoot, 'volumes', m.Name, '_data'));
  const [vol] = JSON.parse((await ctx.d.docker(['volume', 'inspect', m.Name])).stdout);
  assert.deepEqual(vol.Labels, { 'com.docker.volume.anonymous': '' });
  // Plain rm keeps the anonymous volume; rm -v removes it.
  await ctx.d.docker(['run', '--name', 'anon2', ...NONE, '-v', '/scratch', '-v', 'keepme:/named', 'busybox', 'true']);
  const anon2 = JSON.parse((await ctx.d.docker(['inspect', '-f', '{{json .Mounts}}', 'anon2'])).stdout) as Array<{ Name: string; Destination: string }>;
  const scratch = anon2.find((x) => x.Destination === '/scratch')!.Name;
  assert.equal((await ctx.d.docker(['rm', 'anon1'])).code, 0);
  assert.ok((await volumeNames()).includes(m.Name), 'rm without -v keeps anonymous volumes');
  assert.equal((await ctx.d.docker(['rm', '-v', 'anon2'])).code, 0);
  const after = await volumeNames();
  assert.ok(!after.includes(scratch), 'rm -v removes the anonymous volume');
  assert.ok(after.includes('keepme'), 'rm -v never removes a named volume');
  const before = await volumeNames();
  const rmRun = await ctx.d.docker(['run', '--rm', ...NONE, 'withvol:1', 'cat', '/data/seed.txt']);
  assert.equal(rmRun.stdout, 'from the image\n');
  assert.deepEqual(await volumeNames(), before, '--rm removes the anonymous volume it made');
  assert.equal((await ctx.d.docker(['volume', 'rm', 'keepme', m.Name])).code, 0);
});

test('--volumes-from shares volumes and binds, read-only with :ro', async () => {
  const dir = mkdtempSync('/tmp/berth-vol-bind-');
  try {
    writeFileSync(path.join(dir, 'host.txt'), 'on the host\n');
    assert.equal((await ctx.d.docker(['create', '--name', 'source1', ...NONE, '-v', 'shared1:/shared', '-v', `${dir}:/hostdir`, 'busybox'])).code, 0);
    const w = await ctx.d.docker(['run', '--rm', ...NONE, '--volumes-from', 'source1', 'busybox', 'sh', '-c', 'echo written > /shared/f; cat /hostdir/host.txt']);
    assert.equal(w.stdout, 'on the host\n', w.stderr);
    const ro = await ctx.d.docker(['run', '--rm', ...NONE, '--volumes-from', 'source1:ro', 'busybox', 'sh', '-c', 'cat /shared/f; echo x > /shared/g 2>/dev/null || echo refused']);
    assert.equal(ro.stdout, 'written\nrefused\n', ro.stderr);
    // Docker answers a missing source with 404 (the docker CLI then tries to pull the image, as with Docker).
    const missing = await ctx.d.client.request('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { NetworkMode: 'none', VolumesFrom: ['nosuchctr'] } } })
      .then((r) => ({ statusCode: r.statusCode, message: '' }), (e: ApiError) => e);
    assert.equal(missing.statusCode, 404);
    assert.match(missing.message, /No such container: nosuchctr/);
  } finally {
    await ctx.d.docker(['rm', '-f', 'source1']);
    await ctx.d.docker(['volume', 'rm', '-f', 'shared1']);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--mount type=volume, bind and tmpfs with their options', async () => {
  const dir = mkdtempSync('/tmp/berth-vol-mount-');
  try {
    const r = await ctx.d.docker(['run', '--name', 'mounts1', ...NONE,
      '--mount', 'type=volume,source=mvol,target=/v,volume-label=color=red',
      '--mount', `type=bind,src=${dir},dst=/b,readonly`,
      '--mount', 'type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770',
      '--mount', 'type=volume,target=/anon,volume-nocopy',
      'busybox', 'sh', '-c', 'echo v > /v/f && cat /v/f; touch /b/x 2>/dev/null || echo ro; grep " /t " /proc/mounts; stat -c %a /t']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'v');
    assert.equal(lines[1], 'ro');
    assert.match(lines[2], /^tmpfs \/t tmpfs .*size=1024k.*mode=1770/);
    assert.equal(lines[3], '1770');
    const [vol] = JSON.parse((await ctx.d.docker(['volume', 'inspect', 'mvol'])).stdout);
    assert.deepEqual(vol.Labels, { color: 'red' });
    const mounts = JSON.parse((await ctx.d.docker(['inspect', '-f', '{{json .Mounts}}', 'mounts1'])).stdout) as Array<Record<string, unknown>>;
    const byDest = Object.fromEntries(mounts.map((m) => [m.Destination, m]));
    assert.deepEqual(byDest['/b'], { Type: 'bind', Source: dir, Destination: '/b', Mode: '', RW: false, Propagation: 'rprivate' });
    assert.equal(byDest['/t'].Type, 'tmpfs');
    assert.equal(byDest['/v'].Name, 'mvol');
    assert.equal(byDest['/anon'].Type, 'volume');
    const anonName = byDest['/anon'].Name as string;
    assert.equal((await ctx.d.docker(['rm', '-v', 'mounts1'])).code, 0);
    const left = await volumeNames();
    assert.ok(left.includes('mvol') && !left.includes(anonName));
    const opt = await ctx.d.docker(['run', '--rm', ...NONE, '--mount', 'type=volume,src=optvol,dst=/o,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=512k',
      'busybox', 'grep', ' /o ', '/proc/mounts']);
    assert.match(opt.stdout, /^tmpfs \/o tmpfs .*size=512k/, opt.stderr);
    assert.deepEqual(JSON.parse((await ctx.d.docker(['volume', 'inspect', '-f', '{{json .Options}}', 'optvol'])).stdout), { type: 'tmpfs', device: 'tmpfs', o: 'size=512k' });
  } finally {
    await ctx.d.docker(['rm', '-f', 'mounts1']);
    await ctx.d.docker(['volume', 'rm', '-f', 'mvol', 'optvol']);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('local driver options: a tmpfs volume is mounted while used and unmounted after', async () => {
  const created = await ctx.d.docker(['volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=2m,mode=0755', 'tmpvol']);
  assert.equal(created.code, 0, created.stderr);
  const [vol] = JSON.parse((await ctx.d.docker(['volume', 'inspect', 'tmpvol'])).stdout);
  assert.deepEqual(vol.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=2m,mode=0755' });
  const mounted = () => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === vol.Mountpoint);
  const id = (await ctx.d.docker(['run', '-d', ...NONE, '-v', 'tmpvol:/t', 'busybox', 'sh', '-c', 'echo in-ram > /t/f; df -k /t | tail -1; sleep 60'])).stdout.trim();
  try {
    assert.equal(mounted(), true, 'mounted while the container runs');
    assert.equal(readFileSync(path.join(vol.Mountpoint, 'f'), 'utf8').trim() || 'in-ram', 'in-ram');
    const inUse = await ctx.d.docker(['volume', 'rm', 'tmpvol']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, new RegExp(`remove tmpvol: volume is in use - \\[${id}\\]`));
  } finally {
    await ctx.d.docker(['rm', '-f', id]);
  }
  assert.equal(mounted(), false, 'unmounted once no running container uses it');
  assert.equal((await ctx.d.docker(['volume', 'rm', 'tmpvol'])).code, 0);
  const bindDir = mkdtempSync('/tmp/berth-vol-dev-');
  try {
    writeFileSync(path.join(bindDir, 'dev.txt'), 'device file\n');
    await ctx.d.docker(['volume', 'create', '-o', 'type=none', '-o', `device=${bindDir}`, '-o', 'o=bind', 'bindvol']);
    const r = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'bindvol:/d', 'busybox', 'cat', '/d/dev.txt']);
    assert.equal(r.stdout, 'device file\n', r.stderr);
    assert.equal((await ctx.d.docker(['volume', 'rm', 'bindvol'])).code, 0);
  } finally {
    rmSync(bindDir, { recursive: true, force: true });
  }
});

test('a volume used by a stopped container is in use (409); prune keeps volumes in use', async () => {
  await ctx.d.docker(['create', '--name', 'holder', ...NONE, '-v', 'held:/h', '-v', '/anonheld', 'busybox']);
  const holderId = (await ctx.d.docker(['inspect', '-f', '{{.Id}}', 'holder'])).stdout.trim();
  const status = await ctx.d.client.request('DELETE', '/volumes/held').then((r) => r.statusCode, (e: ApiError) => e.statusCode);
  assert.equal(status, 409);
  const cli = await ctx.d.docker(['volume', 'rm', '-f', 'held']);
  assert.equal(cli.code, 1, 'force does not override in use');
  assert.match(cli.stderr, new RegExp(`remove held: volume is in use - \\[${holderId}\\]`));
  await ctx.d.docker(['volume', 'create', 'unusednamed']);
  const anonUnused = (await ctx.d.client.json<{ Name: string }>('POST', '/volumes/create', { body: { Labels: { 'com.docker.volume.anonymous': '' } } })).Name;
  const pruneAnon = await ctx.d.docker(['volume', 'prune', '-f']);
  assert.equal(pruneAnon.code, 0, pruneAnon.stderr);
  assert.match(pruneAnon.stdout, new RegExp(`^Deleted Volumes:\\n${anonUnused}\\n\\nTotal reclaimed space: `));
  let names = await volumeNames();
  assert.ok(names.includes('unusednamed') && names.includes('held'), 'default prune keeps named volumes');
  const pruneAll = await ctx.d.docker(['volume', 'prune', '-f', '--all']);
  assert.match(pruneAll.stdout, /unusednamed/);
  names = await volumeNames();
  assert.ok(names.includes('held'), 'prune keeps a volume a stopped container uses');
  assert.equal(names.length, 2, 'only the holder\'s two volumes remain');
  const dangling = await ctx.d.docker(['volume', 'ls', '-q', '--filter', 'dangling=true']);
  assert.equal(dangling.stdout, '');
  const df = await ctx.d.docker(['system', 'df', '-v', '--format', '{{json .Volumes}}']);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /"Name":"held"/);
  await ctx.d.docker(['rm', '-v', 'holder']);
  assert.deepEqual(await volumeNames(), ['held']);
  await ctx.d.docker(['volume', 'rm', 'held']);
});

test('bad input is answered clearly', async () => {
  const badName = await ctx.d.docker(['volume', 'create', 'bad/name']);
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /"bad\/name" includes invalid characters for a local volume name/);
  const badOpt = await ctx.d.docker(['volume', 'create', '-o', 'colour=red', 'v-badopt']);
  assert.match(badOpt.stderr, /create v-badopt: invalid option: "colour"/);
  const nfs = await ctx.d.docker(['volume', 'create', '-o', 'type=nfs', '-o', 'device=:/x', 'v-nfs']);
  assert.match(nfs.stderr, /not implemented/);
  const driver = await ctx.d.docker(['volume', 'create', '-d', 'nosuchdriver', 'v-drv']);
  assert.match(driver.stderr, /plugin "nosuchdriver" not found/);
  const badV = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'bad name:/x', 'busybox', 'true']);
  assert.equal(badV.code, 125);
  assert.match(badV.stderr, /includes invalid characters for a local volume name/);
  const relTarget = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'okname:relative', 'busybox', 'true']);
  assert.match(relTarget.stderr, /mount path must be absolute/);
  const tooMany = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'a:/b:ro:extra', 'busybox', 'true']);
  assert.match(tooMany.stderr, /invalid volume specification: 'a:\/b:ro:extra'/);
  const dup = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'v-dup1:/same', '--mount', 'type=volume,src=v-dup2,dst=/same', 'busybox', 'true']);
  assert.match(dup.stderr, /Duplicate mount point: \/same/);
  const tmpfsSrc = await ctx.d.client.request('POST', '/containers/create', {
    body: { Image: 'busybox', HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'tmpfs', Source: '/x', Target: '/t' }] } },
  }).then((r) => r.statusCode, (e: ApiError) => e.statusCode);
  assert.equal(tmpfsSrc, 400);
  const volumeDriver = await ctx.d.client.request('POST', '/containers/create', {
    body: { Image: 'busybox', HostConfig: { NetworkMode: 'none', VolumeDriver: 'flocker', Binds: ['fv1:/f'] } },
  }).then((r) => ({ statusCode: r.statusCode, message: '' }), (e: ApiError) => e);
  assert.equal(volumeDriver.statusCode, 404);
  assert.match(volumeDriver.message, /plugin "flocker" not found/);
  const unknownType = await ctx.d.docker(['run', '--rm', ...NONE, '--mount', 'type=weird,dst=/w', 'busybox', 'true']);
  assert.match(unknownType.stderr, /mount type unknown/);
  await ctx.d.docker(['volume', 'create', '-o', 'type=none', '-o', 'device=/no/such/dir', '-o', 'o=bind', 'v-nodev']);
  const noDevice = await ctx.d.docker(['run', '--rm', ...NONE, '-v', 'v-nodev:/d', 'busybox', 'true']);
  assert.notEqual(noDevice.code, 0);
  assert.match(noDevice.stderr, /error while mounting volume '.*v-nodev\/_data': failed to mount local volume/);
  assert.equal((await ctx.d.docker(['volume', 'rm', 'v-nodev'])).code, 0, 'the failed start holds nothing');
  const badFilter = await ctx.d.docker(['volume', 'ls', '--filter', 'colour=red']);
  assert.match(badFilter.stderr, /invalid filter 'colour'/);
  assert.deepEqual(await volumeNames(), [], 'no failed request left a volume behind');
});

test('berth volume commands speak the same API', async () => {
  assert.equal((await ctx.d.berth(['volume', 'create', '--label', 'k=v', 'bvol'])).stdout, 'bvol\n');
  const ls = await ctx.d.berth(['volume', 'ls']);
  assert.equal(ls.stdout, 'DRIVER    VOLUME NAME\nlocal     bvol\n', ls.stderr);
  const json = JSON.parse((await ctx.d.berth(['volume', 'ls', '--format', '{{json .}}'])).stdout);
  assert.equal(json.Name, 'bvol');
  assert.equal(json.Labels, 'k=v');
  const fmt = await ctx.d.berth(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Labels.k}}', 'bvol']);
  assert.equal(fmt.stdout, 'bvol local v\n', fmt.stderr);
  assert.equal((await ctx.d.berth(['inspect', '-f', '{{.Mountpoint}}', 'bvol'])).stdout, path.join(ctx.d.dataRoot, 'volumes', 'bvol', '_data') + '\n');
  const run = await ctx.d.berth(['run', '--rm', ...NONE, '-v', 'bvol:/etc', '--mount', 'type=tmpfs,dst=/tt', 'busybox', 'sh', '-c', 'ls /etc/passwd; grep -c " /tt " /proc/mounts']);
  assert.equal(run.stdout, '/etc/passwd\n1\n', run.stderr);
  const c = await ctx.d.berth(['create', '--name', 'bsrc', ...NONE, '-v', 'bvol:/etc', 'busybox']);
  assert.equal(c.code, 0, c.stderr);
  const from = await ctx.d.berth(['run', '--rm', ...NONE, '--volumes-from', 'bsrc:ro', 'busybox', 'ls', '/etc/passwd']);
  assert.equal(from.stdout, '/etc/passwd\n', from.stderr);
  const inUse = await ctx.d.berth(['volume', 'rm', 'bvol']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /volume is in use/);
  await ctx.d.berth(['rm', 'bsrc']);
  const prune = await ctx.d.berth(['volume', 'prune', '-f', '-a']);
  assert.match(prune.stdout, /^Deleted Volumes:\nbvol\n\nTotal reclaimed space: /);
  assert.equal((await ctx.d.berth(['volume', 'ls', '-q'])).stdout, '');
});

test('after a daemon restart volumes are found again and a driver mount in use stays, an unused one goes', async () => {
  await ctx.d.docker(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', 'keepmounted']);
  await ctx.d.docker(['volume', 'create', 'persisted', '--label', 'x=y']);
  await ctx.d.docker(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', 'goesaway']);
  const id = (await ctx.d.docker(['run', '-d', ...NONE, '-v', 'keepmounted:/k', 'busybox', 'sh', '-c', 'echo alive > /k/f; sleep 60'])).stdout.trim();
  const brief = (await ctx.d.docker(['run', '-d', ...NONE, '-v', 'goesaway:/g', 'busybox', 'sleep', '60'])).stdout.trim();
  const mountpoint = (name: string) => path.join(ctx.d.dataRoot, 'volumes', name, '_data');
  const isMounted = (name: string) => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mountpoint(name));
  const mounted = () => isMounted('keepmounted');
  try {
    assert.equal(isMounted('goesaway'), true);
    const pid = Number((await ctx.d.docker(['inspect', '-f', '{{.State.Pid}}', brief])).stdout.trim());
    await ctx.d.kill9();
    // The second container ends while the daemon is down.
    process.kill(pid, 'SIGKILL');
    await ctx.d.restart();
    assert.deepEqual((await volumeNames()).sort(), ['goesaway', 'keepmounted', 'persisted']);
    assert.equal(mounted(), true, 'the running container keeps its volume mount');
    assert.equal(isMounted('goesaway'), false, 'a volume whose container ended while the daemon was down is unmounted');
    const r = await ctx.d.docker(['exec', id, 'cat', '/k/f']);
    assert.equal(r.stdout, 'alive\n', r.stderr);
    await ctx.d.docker(['kill', id]);
    await ctx.d.docker(['wait', id]);
    assert.equal(mounted(), false, 'unmounted when its container stops');
  } finally {
    await ctx.d.docker(['rm', '-f', id, brief]);
  }
  await ctx.d.docker(['volume', 'rm', 'keepmounted', 'persisted', 'goesaway']);
});

test('volume events: create, mount, unmount, destroy; ps filters by volume', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await ctx.d.docker(['create', '--name', 'evsrc', ...NONE, '-v', 'evvol:/e', 'busybox', 'true']);
  const ps = await ctx.d.docker(['ps', '-a', '--filter', 'volume=evvol', '--format', '{{.Names}}']);
  assert.equal(ps.stdout, 'evsrc\n', ps.stderr);
  assert.equal((await ctx.d.docker(['start', '-a', 'evsrc'])).code, 0);
  await ctx.d.docker(['rm', 'evsrc']);
  await ctx.d.docker(['volume', 'rm', 'evvol']);
  const until = Math.ceil(Date.now() / 1000) + 1;
  const ev = await ctx.d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}}']);
  // Earlier tests' events may fall in the same second: keep this volume's.
  assert.deepEqual(ev.stdout.trim().split('\n').filter((l) => l.endsWith(' evvol')), ['create evvol', 'mount evvol', 'unmount evvol', 'destroy evvol'], ev.stderr);
  const mount = await ctx.d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--filter', 'event=mount', '--format', '{{json .Actor.Attributes}}']);
  const attrs = mount.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((a) => a.destination === '/e');
  assert.deepEqual(attrs, { container: attrs.container, destination: '/e', driver: 'local', propagation: '', 'read/write': 'true' });
  assert.match(attrs.container, /^[0-9a-f]{64}$/);
});
