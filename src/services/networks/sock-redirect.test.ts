import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Host, RunOptions, RunResult } from '../../host';
import { SockRedirect } from './sock-redirect';

/** A fake bpftool and mount: records every call; `attached` is what `cgroup show` lists, `failOn` makes a command fail. */
class FakeBpf implements Host {
  readonly calls: string[] = [];
  readonly mounted = new Set<string>();
  attached: Array<{ id: number; name: string; maps: string[] }> = [];
  failOn?: RegExp;
  async run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const line = [path.basename(cmd), ...args].join(' ') + (opts.input ? ` <<${String(opts.input).trim().split('\n').join(' | ')}` : '');
    this.calls.push(line);
    if (this.failOn?.test(line)) return { code: 255, stdout: '', stderr: 'Error: permission denied' };
    const out = (v: unknown) => ({ code: 0, stdout: JSON.stringify(v), stderr: '' });
    if (cmd.endsWith('netns-cookie')) return { code: 0, stdout: '3\n', stderr: '' };
    if (args.join(' ').startsWith('-j cgroup show')) return out(this.attached.map((a) => ({ id: a.id, name: a.name })));
    if (args.join(' ') === '-j prog show') return out(this.attached.map((a, i) => ({ id: a.id, map_ids: a.maps.map((_, j) => 100 * i + j) })));
    if (args.join(' ') === '-j map show') return out(this.attached.flatMap((a, i) => a.maps.map((name, j) => ({ id: 100 * i + j, name }))));
    if (args[0] === 'cgroup' && args[1] === 'detach') this.attached = this.attached.filter((a) => String(a.id) !== args[5]);
    return { code: 0, stdout: '', stderr: '' };
  }
  async mount(_m: unknown, target: string): Promise<void> { this.mounted.add(target); }
  async unmount(target: string): Promise<void> { this.mounted.delete(target); }
}

function setup(t: { after: (fn: () => void) => void }) {
  const built = mkdtempSync(path.join(os.tmpdir(), 'berth-sockredir-'));
  t.after(() => rmSync(built, { recursive: true, force: true }));
  for (const f of ['sock-redirect.bpf.o', 'netns-cookie']) writeFileSync(path.join(built, f), '');
  const host = new FakeBpf();
  const logs: string[] = [];
  const r = new SockRedirect(host, { execRoot: '/x', bridge: 'bt-0a1', log: (_l, m) => logs.push(m), builtDir: built, cgroup: '/cg' });
  return { host, logs, r, built };
}

const PORTS = { ip: '10.1.0.2', ports: [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '', hostPort: 8080 }] };

test('start mounts a bpffs in the exec root, names the config map after the bridge, loads, sets the host netns cookie and attaches the four programs with multi', async (t) => {
  const { host, r, built } = setup(t);
  await r.start();
  assert.equal(r.active, true);
  assert.deepEqual([...host.mounted], ['/x/bpf']);
  assert.deepEqual(host.calls.filter((c) => !c.startsWith('bpftool -j')), [
    `netns-cookie`,
    'bpftool map create /x/bpf/config type array key 4 value 8 entries 1 name bt_0a1',
    `bpftool prog loadall ${built}/sock-redirect.bpf.o /x/bpf/progs map name config pinned /x/bpf/config pinmaps /x/bpf/maps`,
    'bpftool batch file - <<map update pinned /x/bpf/config key hex 00 00 00 00 value hex ' + (os.endianness() === 'LE' ? '03 00 00 00 00 00 00 00' : '00 00 00 00 00 00 00 03') +
      ' | cgroup attach /cg connect4 pinned /x/bpf/progs/berth_connect4 multi | cgroup attach /cg getpeername4 pinned /x/bpf/progs/berth_getpeername4 multi' +
      ' | cgroup attach /cg sendmsg4 pinned /x/bpf/progs/berth_sendmsg4 multi | cgroup attach /cg recvmsg4 pinned /x/bpf/progs/berth_recvmsg4 multi',
  ]);
});

test('sync writes only what changed: the entry at publish, its delete at unpublish, nothing when the same ports come again', async (t) => {
  const { host, r } = setup(t);
  await r.start();
  host.calls.length = 0;
  await r.sync([PORTS]);
  const first = host.calls.join('\n');
  assert.match(first, /map update pinned \/x\/bpf\/maps\/services key hex 00 00 00 00 1f 90 06 00 value hex 0a 01 00 02 00 50 00 00/);
  host.calls.length = 0;
  await r.sync([PORTS]);
  assert.ok(host.calls.every((c) => !c.includes('maps/services')), host.calls.join('\n'));
  await r.sync([]);
  assert.match(host.calls.join('\n'), /map delete pinned \/x\/bpf\/maps\/services key hex 00 00 00 00 1f 90 06 00$/m);
});

test('a crashed run\'s programs of the same bridge are detached at start, another daemon\'s stay; stop detaches and unmounts', async (t) => {
  const { host, r } = setup(t);
  host.attached = [
    { id: 7, name: 'berth_connect4', maps: ['services', 'locals', 'bt_0a1', 'dialled'] },
    { id: 8, name: 'berth_getpeerna', maps: ['bt_0a1', 'dialled'] },
    { id: 9, name: 'berth_connect4', maps: ['services', 'locals', 'btother', 'dialled'] },
    { id: 10, name: 'other_connect4', maps: ['bt_0a1'] },
  ];
  await r.start();
  assert.deepEqual(host.calls.filter((c) => c.includes('detach')), ['bpftool cgroup detach /cg connect4 id 7', 'bpftool cgroup detach /cg getpeername4 id 8']);
  assert.deepEqual(host.attached.map((a) => a.id), [9, 10]);
  host.attached.push({ id: 11, name: 'berth_connect4', maps: ['bt_0a1'] });
  await r.stop();
  assert.equal(r.active, false);
  assert.deepEqual(host.attached.map((a) => a.id), [9, 10]);
  assert.deepEqual([...host.mounted], []);
});

test('when bpftool fails, start logs once, cleans up and leaves every port to DNAT: sync then does nothing', async (t) => {
  const { host, logs, r } = setup(t);
  host.failOn = /prog loadall/;
  await r.start();
  assert.equal(r.active, false);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /DNAT alone.*prog loadall: Error: permission denied/);
  assert.deepEqual([...host.mounted], []);
  host.calls.length = 0;
  await r.sync([PORTS]);
  assert.deepEqual(host.calls, []);
});

test('without the built object the redirect stays off and says why', async (t) => {
  const { logs, r, built } = setup(t);
  rmSync(path.join(built, 'sock-redirect.bpf.o'));
  await r.start();
  assert.equal(r.active, false);
  assert.match(logs[0], /sock-redirect\.bpf\.o is missing \(built by make build\)/);
});

test('an exec root with blanks in its path leaves the redirect off rather than half-programmed', async (t) => {
  const { host, logs, built } = setup(t);
  const r = new SockRedirect(host, { execRoot: '/x y', bridge: 'bt0', log: (_l, m) => logs.push(m), builtDir: built, cgroup: '/cg' });
  await r.start();
  assert.equal(r.active, false);
  assert.match(logs[0], /blanks/);
  assert.ok(!host.calls.some((c) => c.includes('attach')), host.calls.join('\n'));
});
