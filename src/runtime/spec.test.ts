// Tests of buildSpec: the config.json matches what Docker hands runc for the same container.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SpecInput } from './index';
import { buildSpec, DEFAULT_CAPABILITIES } from './spec';

function input(over: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'c1', rootfs: '/r/fs', readonlyRootfs: false, args: ['sh', '-c', 'true'], env: ['PATH=/bin'], cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] }, hostname: 'c1host', tty: false,
    network: { mode: 'none' }, mounts: [], shmSize: 64 * 1024 * 1024, cgroupsPath: '/berth/c1',
    nofile: { soft: 1024, hard: 4096 }, ...over,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = any;
const build = (over: Partial<SpecInput> = {}, cgroupV2 = false): Spec => buildSpec(input(over), { cgroupV2, maxNofile: 20000 });

describe('buildSpec', () => {
  it('copies the process, root, hostname and cgroup path', () => {
    const s = build({ tty: true, readonlyRootfs: true, user: { uid: 1000, gid: 100, additionalGids: [5, 6] } });
    assert.equal(s.process.terminal, true);
    assert.deepEqual(s.process.args, ['sh', '-c', 'true']);
    assert.deepEqual(s.process.env, ['PATH=/bin']);
    assert.deepEqual(s.process.user, { uid: 1000, gid: 100, additionalGids: [5, 6] });
    assert.equal(s.process.oomScoreAdj, 0);
    assert.deepEqual(s.root, { path: '/r/fs', readonly: true });
    assert.equal(s.hostname, 'c1host');
    assert.equal(s.linux.cgroupsPath, '/berth/c1');
  });

  it("gives Docker's 14 default capabilities, none inheritable or ambient", () => {
    const caps = build().process.capabilities;
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    for (const set of ['bounding', 'effective', 'permitted']) assert.deepEqual([...caps[set]].sort(), [...DEFAULT_CAPABILITIES].sort());
    assert.equal(caps.inheritable, undefined);
    assert.equal(caps.ambient, undefined);
  });

  it("mounts Docker's defaults in order, then the container's own", () => {
    const s = build({ mounts: [{ destination: '/data', source: '/v/data', type: 'bind', options: ['rbind', 'rw'] }], shmSize: 1000 });
    assert.deepEqual(s.mounts.map((m: Spec) => m.destination),
      ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm', '/data']);
    assert.ok(s.mounts[1].options.includes('size=65536k'));
    assert.ok(s.mounts[2].options.includes('ptmxmode=0666'));
    assert.ok(s.mounts[3].options.includes('ro'));
    assert.ok(s.mounts[6].options.includes('size=1000'));
    assert.deepEqual(s.mounts[7], { destination: '/data', source: '/v/data', type: 'bind', options: ['rbind', 'rw'] });
  });

  it('creates a network namespace for none, joins a path, and shares the host netns for host', () => {
    const net = (s: Spec) => s.linux.namespaces.filter((n: Spec) => n.type === 'network');
    assert.deepEqual(net(build()), [{ type: 'network' }]);
    assert.deepEqual(net(build({ network: { mode: 'path', netnsPath: '/run/netns/x' } })), [{ type: 'network', path: '/run/netns/x' }]);
    assert.deepEqual(net(build({ network: { mode: 'host' } })), []);
    assert.throws(() => build({ network: { mode: 'path' } }));
  });

  it('adds a cgroup namespace only on cgroup v2', () => {
    const types = (s: Spec) => s.linux.namespaces.map((n: Spec) => n.type).sort();
    assert.deepEqual(types(build({}, false)), ['ipc', 'mount', 'network', 'pid', 'uts']);
    assert.deepEqual(types(build({}, true)), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  });

  it('masks and write-protects the /proc and /sys paths Docker does', () => {
    const s = build();
    for (const p of ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware']) assert.ok(s.linux.maskedPaths.includes(p), p);
    assert.deepEqual(s.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('denies all devices then allows the default list', () => {
    const d = build().linux.resources.devices;
    assert.deepEqual(d[0], { allow: false, access: 'rwm' });
    assert.ok(d.some((r: Spec) => r.allow && r.major === 1 && r.minor === 3));
    assert.equal(build().linux.seccomp, undefined);
  });

  it("never gives RLIMIT_NOFILE above the daemon's hard limit", () => {
    assert.deepEqual(build().process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 1024 }]);
    assert.deepEqual(build({ nofile: { soft: 1048576, hard: 1048576 } }).process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }]);
  });
});
