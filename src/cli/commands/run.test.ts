// run/create: exit-code mapping, pull naming, and the flags-to-create-body translation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarTagged, startErrorStatus } from './run';
import { buildCreateBody } from './container-config';

test('start errors map to docker run exit codes', () => {
  assert.equal(startErrorStatus('exec: "nonexist": executable file not found in $PATH: unknown'), 127);
  assert.equal(startErrorStatus('open /x: no such file or directory'), 127);
  assert.equal(startErrorStatus('exec: "/etc": permission denied: unknown'), 126);
  assert.equal(startErrorStatus('exec /etc: is a directory'), 126);
  assert.equal(startErrorStatus('cannot start a container that has been removed'), 125);
});

test('images about to be pulled are named with their tag', () => {
  assert.equal(familiarTagged('busybox'), 'busybox:latest');
  assert.equal(familiarTagged('docker.io/library/busybox:1.36'), 'busybox:1.36');
  assert.equal(familiarTagged('localhost:5000/x'), 'localhost:5000/x:latest');
});

test('run flags become the create body docker sends', () => {
  const body = buildCreateBody({
    interactive: true, tty: true, env: ['A=1'], label: ['k=v', 'flag'], volume: ['/h:/c:ro', '/anon'], rm: true,
    network: 'none', mount: ['type=bind,source=/s,target=/t,readonly'], stopTimeout: '5', restart: 'no', publish: ['8080:80'],
  }, 'busybox', ['sh', '-c', 'true']);
  const host = body.HostConfig as Record<string, unknown>;
  assert.equal(body.Image, 'busybox');
  assert.deepEqual(body.Cmd, ['sh', '-c', 'true']);
  assert.equal(body.OpenStdin, true);
  assert.equal(body.StdinOnce, true);
  assert.equal(body.AttachStdin, true);
  assert.equal(body.Tty, true);
  assert.deepEqual(body.Env, ['A=1']);
  assert.deepEqual(body.Labels, { k: 'v', flag: '' });
  assert.deepEqual(body.Volumes, { '/anon': {} });
  assert.equal(body.StopTimeout, 5);
  assert.deepEqual(host.Binds, ['/h:/c:ro']);
  assert.equal(host.NetworkMode, 'none');
  assert.equal(host.AutoRemove, true);
  assert.deepEqual(host.Mounts, [{ Type: 'bind', Source: '/s', Target: '/t', ReadOnly: true }]);
  assert.deepEqual(host.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(body.ExposedPorts, { '80/tcp': {} });
});

test('detached runs attach nothing; --rm with a restart policy is refused', () => {
  const body = buildCreateBody({ detach: true, interactive: true }, 'busybox', []);
  assert.equal(body.AttachStdin, false);
  assert.equal(body.AttachStdout, false);
  assert.equal(body.Cmd, null);
  assert.throws(() => buildCreateBody({ rm: true, restart: 'always' }, 'busybox', []), /cannot specify both --restart and --rm/);
});

test('-v, --mount and --volumes-from become Binds, Volumes, Mounts and VolumesFrom', () => {
  const body = buildCreateBody({
    volume: ['/scratch', 'data:/data:ro'], volumesFrom: ['web:ro'],
    mount: ['type=volume,src=cache,dst=/c,volume-nocopy,volume-label=a=b,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-driver=local', 'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1777'],
  }, 'busybox', []) as { Volumes: object; HostConfig: { Binds: string[]; VolumesFrom: string[]; Mounts: object[] } };
  assert.deepEqual(body.Volumes, { '/scratch': {} });
  assert.deepEqual(body.HostConfig.Binds, ['data:/data:ro']);
  assert.deepEqual(body.HostConfig.VolumesFrom, ['web:ro']);
  assert.deepEqual(body.HostConfig.Mounts, [
    { Type: 'volume', Source: 'cache', Target: '/c', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Options: { type: 'tmpfs', device: 'tmpfs' }, Name: 'local' } } },
    { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 * 1024, Mode: 0o1777 } },
  ]);
  assert.throws(() => buildCreateBody({ mount: ['type=volume,dst=/x,volume-opt=novalue'] }, 'busybox', []), /invalid value for volume-opt/);
});
