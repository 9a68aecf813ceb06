import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Host, RunOptions, RunResult } from '../../host';
import type { MetadataStore } from '../../stores/metadata';
import type { EmbeddedDns } from './dns-server';
import type { Endpoints } from './endpoints';
import { Firewall } from './firewall';
import { LocalNetworkService } from './network-service';
import type { SandboxRecord } from './index';

/** A host whose routes are given; `ip addr show` reports whatever `ip -batch` added; every command is recorded. */
class FakeHost implements Host {
  readonly commands: string[] = [];
  private readonly addrs = new Map<string, string>();
  constructor(private readonly routes: string) {}
  async run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.commands.push([cmd, ...args].join(' '));
    if (cmd === 'ip' && args.includes('route')) return { code: 0, stdout: this.routes, stderr: '' };
    if (cmd === 'ip' && args[0] === '-force') {
      const m = /addr add (\S+) dev (\S+)/.exec(String(opts.input));
      if (m) this.addrs.set(m[2], m[1]);
    }
    if (cmd === 'ip' && args.includes('addr')) return { code: 0, stdout: `5: ${args[args.length - 1]}    inet ${this.addrs.get(args[args.length - 1])} scope global`, stderr: '' };
    return { code: 0, stdout: '', stderr: '' };
  }
  async mount(): Promise<void> {}
  async unmount(): Promise<void> {}
}

class MemoryStore implements MetadataStore {
  readonly data = new Map<string, unknown>();
  async get<T>(kind: string, id: string) { return this.data.get(`${kind}/${id}`) as T | undefined; }
  async put<T>(kind: string, id: string, value: T) { this.data.set(`${kind}/${id}`, JSON.parse(JSON.stringify(value))); }
  async delete(kind: string, id: string) { this.data.delete(`${kind}/${id}`); }
  async list<T>(kind: string) { return [...this.data.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, v]) => v as T); }
}

async function service(routes = 'default via 192.0.2.1 dev eth0\n192.0.2.0/24 dev eth0 proto kernel scope link\n172.17.0.0/16 dev docker0 proto kernel\n') {
  const host = new FakeHost(routes);
  const sandboxes = new Map<string, SandboxRecord>();
  const endpoints = { sandboxes, load: async () => undefined, forgetNetwork: async () => undefined } as unknown as Endpoints;
  const listening: string[] = [];
  const dns = { listen: async (ip: string) => { listening.push(ip); }, close: () => undefined } as unknown as EmbeddedDns;
  const events: string[] = [];
  const svc = new LocalNetworkService({
    host, metadata: new MemoryStore(), firewall: new Firewall(host, 'BERTH-bt0'), dns, endpoints, bridge: 'bt0', log: () => undefined,
    events: { publish: (type, action, _id, attrs) => events.push(`${type} ${action} ${attrs?.name}`) },
  });
  svc.setContainers({ get: () => { throw new Error('none'); }, all: () => [], save: async () => undefined });
  await svc.load();
  return { svc, host, sandboxes, listening, events };
}

test('the default bridge and new networks take pools that clash with no host route', async () => {
  const { svc, host, listening, events } = await service();
  assert.equal(svc.defaultNetwork.subnet, '172.18.0.0/16', '172.17/16 is docker0\'s here');
  const { Id } = await svc.create({ Name: 'web', Labels: { team: 'a' } });
  const n = svc.find('web');
  assert.equal(n.id, Id);
  assert.equal(n.subnet, '172.19.0.0/16');
  assert.equal(n.gateway, '172.19.0.1');
  assert.equal(n.bridge, `br-${Id.slice(0, 12)}`);
  assert.deepEqual(listening, ['172.19.0.1'], 'the embedded DNS listens on user networks only');
  assert.ok(host.commands.includes(`iptables -w -t filter -I FORWARD 1 -j BERTH-bt0`) || host.commands.some((c) => c.startsWith('iptables-restore')));
  assert.deepEqual(events, ['network create web']);
});

test('overlapping subnets and names in use are conflicts; bad subnets and gateways are 400', async () => {
  const { svc } = await service();
  await svc.create({ Name: 'a', IPAM: { Config: [{ Subnet: '10.50.0.0/16', Gateway: '10.50.0.254' }] } });
  assert.equal(svc.find('a').gateway, '10.50.0.254');
  await assert.rejects(svc.create({ Name: 'b', IPAM: { Config: [{ Subnet: '10.50.3.0/24' }] } }), (e: Error & { code?: string }) =>
    e.constructor.name === 'ConflictError' && /Pool overlaps.*10\.50\.3\.0\/24 overlaps 10\.50\.0\.0\/16 of network a/.test(e.message));
  await assert.rejects(svc.create({ Name: 'c', IPAM: { Config: [{ Subnet: '192.0.2.128/25' }] } }), /overlaps 192\.0\.2\.0\/24 of a host route on eth0/);
  await assert.rejects(svc.create({ Name: 'a' }), /network with name a already exists/);
  await assert.rejects(svc.create({ Name: 'd', IPAM: { Config: [{ Subnet: '10.60.0.1/16' }] } }), /invalid subnet/);
  await assert.rejects(svc.create({ Name: 'e', IPAM: { Config: [{ Subnet: '10.61.0.0/16', Gateway: '10.62.0.1' }] } }), /not a usable address/);
  await assert.rejects(svc.create({ Name: 'bridge' }), /pre-defined network/);
  await assert.rejects(svc.create({ Name: 'f', Driver: 'overlay' }), /not implemented/);
});

test('a network with a running container cannot be removed; the default one never', async () => {
  const { svc, sandboxes, host, events } = await service();
  await svc.create({ Name: 'busy' });
  const n = svc.find('busy');
  sandboxes.set('c1', { containerId: 'c1', netns: '/x', upstreams: [], endpoints: { [n.id]: {} as never } });
  await assert.rejects(svc.remove('busy'), new RegExp(`error while removing network: network busy id ${n.id} has active endpoints`));
  sandboxes.clear();
  await svc.remove(n.id.slice(0, 5));
  assert.throws(() => svc.find('busy'), /network busy not found/);
  assert.ok(host.commands.includes(`ip link del ${n.bridge}`));
  await assert.rejects(svc.remove('bridge'), /pre-defined network/);
  assert.deepEqual(events, ['network create busy', 'network destroy busy']);
});

test('list answers Docker\'s filters and shows host and none', async () => {
  const { svc } = await service();
  await svc.create({ Name: 'front', Labels: { tier: 'web' } });
  const names = (filters: Record<string, string[]>) => (svc.list(filters) as Array<{ Name: string }>).map((n) => n.Name).sort();
  assert.deepEqual(names({}), ['bridge', 'front', 'host', 'none']);
  assert.deepEqual(names({ type: ['custom'] }), ['front']);
  assert.deepEqual(names({ label: ['tier=web'] }), ['front']);
  assert.deepEqual(names({ label: ['tier=web', 'owner'] }), [], 'every label filter must match');
  assert.deepEqual(names({ driver: ['null'] }), ['none']);
  assert.deepEqual(names({ dangling: ['true'] }), ['front']);
  assert.throws(() => svc.list({ bogus: ['x'] }), /invalid filter 'bogus'/);
});

test('prune removes user networks with no running container, even when a stopped one is configured on them', async () => {
  const { svc, sandboxes, events } = await service();
  await svc.create({ Name: 'idle' });
  await svc.create({ Name: 'busy' });
  const busy = svc.find('busy');
  const idle = svc.find('idle');
  const stopped = { id: 's1', name: '/s1', networkSettings: { Networks: { idle: { NetworkID: idle.id } } } };
  svc.setContainers({ get: () => stopped as never, all: () => [stopped as never], save: async () => undefined });
  sandboxes.set('c1', { containerId: 'c1', netns: '/x', upstreams: [], endpoints: { [busy.id]: {} as never } });
  assert.deepEqual((svc.list({ dangling: ['true'] }) as Array<{ Name: string }>).map((n) => n.Name), ['idle'], 'dangling means what prune removes');
  assert.deepEqual(await svc.prune({}), { NetworksDeleted: ['idle'] });
  assert.deepEqual(events.slice(-2), ['network destroy idle', 'network prune undefined']);
  assert.ok(svc.find('busy'));
});
