import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Host, RunOptions, RunResult } from '../../host';
import { PortNat, dnatRules } from './port-nat';

/** A fake iptables: tracks which nat hooks jump to which chains and which chains exist; records every call. */
class FakeIptables implements Host {
  readonly calls: string[] = [];
  readonly jumps = new Set<string>();
  readonly chains = new Map<string, string[]>();
  async run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push([cmd, ...args].join(' '));
    const ok = { code: 0, stdout: '', stderr: '' };
    const fail = { code: 1, stdout: '', stderr: 'no such rule' };
    if (cmd === 'iptables-restore') {
      const lines = String(opts.input).split('\n');
      const chain = lines.find((l) => l.startsWith(':'))!.slice(1).split(' ')[0];
      this.chains.set(chain, lines.filter((l) => l.startsWith('-A ')));
      return ok;
    }
    const [, , , op, hook] = args;
    const key = `${hook} ${args.slice(op === '-I' ? 6 : 5).join(' ')}`;
    switch (op) {
      case '-C': return this.jumps.has(key) ? ok : fail;
      case '-I': this.jumps.add(`${hook} ${args.slice(6).join(' ')}`); return ok;
      case '-D': this.jumps.delete(key); return ok;
      case '-S': return this.chains.has(hook) ? ok : fail;
      case '-X': this.chains.delete(hook); return ok;
      default: return ok;
    }
  }
  async mount(): Promise<void> {}
  async unmount(): Promise<void> {}
}

test('one DNAT rule per mapping, on the host address when one was given', () => {
  assert.deepEqual(dnatRules('BERTH-b-DNAT', [{ ip: '10.1.0.2', ports: [
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353 },
  ] }]), [
    '-A BERTH-b-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80',
    '-A BERTH-b-DNAT -p udp -d 127.0.0.1/32 -m udp --dport 5353 -j DNAT --to-destination 10.1.0.2:53',
  ]);
});

test('the chain and its jumps exist only while a port is published, and nothing else is touched but UDP flows', async () => {
  const ipt = new FakeIptables();
  const nat = new PortNat(ipt, 'BERTH-b-DNAT');
  const web = { ip: '10.1.0.2', ports: [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '', hostPort: 8080 }] };
  const dns = { ip: '10.1.0.3', ports: [{ containerPort: 53, protocol: 'udp' as const, hostIp: '', hostPort: 53 }] };
  await Promise.all([nat.publish('a', web), nat.publish('b', dns)]);
  assert.deepEqual([...ipt.jumps].sort(), ['OUTPUT -m addrtype --dst-type LOCAL -j BERTH-b-DNAT', 'PREROUTING -m addrtype --dst-type LOCAL -j BERTH-b-DNAT']);
  assert.equal(ipt.chains.get('BERTH-b-DNAT')!.length, 2, 'the last sync saw both containers');
  await nat.unpublish('a');
  assert.deepEqual(ipt.chains.get('BERTH-b-DNAT'), dnatRules('BERTH-b-DNAT', [dns]));
  await nat.unpublish('b');
  assert.deepEqual([...ipt.jumps], []);
  assert.equal(ipt.chains.size, 0);
  assert.deepEqual(ipt.calls.filter((c) => c.startsWith('conntrack')), ['conntrack -D -p udp --orig-port-dst 53'], 'old UDP flows to a published port are forgotten');
  assert.ok(ipt.calls.every((c) => /^(iptables-restore -w --noflush|iptables -w -t nat |conntrack )/.test(c)), ipt.calls.join('\n'));
});

test('a sync with nothing published removes what a previous run left, and is a no-op when nothing is there', async () => {
  const ipt = new FakeIptables();
  ipt.chains.set('BERTH-b-DNAT', ['-A BERTH-b-DNAT -p tcp -m tcp --dport 1 -j DNAT --to-destination 10.1.0.9:1']);
  ipt.jumps.add('OUTPUT -m addrtype --dst-type LOCAL -j BERTH-b-DNAT');
  const nat = new PortNat(ipt, 'BERTH-b-DNAT');
  await nat.sync();
  assert.deepEqual([ipt.jumps.size, ipt.chains.size], [0, 0]);
  const before = ipt.calls.length;
  await nat.sync();
  assert.ok(!ipt.calls.slice(before).some((c) => / -[DFX] /.test(c)), 'nothing to delete the second time');
});

test('the redirect is told exactly what is published after each sync, the last container gone included', async () => {
  const seen: string[][] = [];
  const nat = new PortNat(new FakeIptables(), 'BERTH-b-DNAT', { sync: async (p) => { seen.push(p.map((x) => x.ip)); } });
  const web = { ip: '10.1.0.2', ports: [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '', hostPort: 8080 }] };
  await nat.publish('a', web);
  await nat.publish('b', { ...web, ip: '10.1.0.3' });
  await nat.unpublish('a');
  await nat.unpublish('b');
  assert.deepEqual(seen, [['10.1.0.2'], ['10.1.0.2', '10.1.0.3'], ['10.1.0.3'], []]);
});
