import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardRules, natRules, rawRules } from './firewall';

test('networks are isolated from each other before anything is accepted', () => {
  const rules = forwardRules('BERTH-x', [{ bridge: 'a', subnet: '10.1.0.0/24', internal: false }, { bridge: 'b', subnet: '10.2.0.0/24', internal: true }]);
  const firstAccept = rules.findIndex((r) => r.endsWith('ACCEPT'));
  const drops = rules.slice(0, firstAccept);
  assert.ok(drops.includes('-A BERTH-x -i a -o b -j DROP'));
  assert.ok(drops.includes('-A BERTH-x -i b -o a -j DROP'));
  assert.ok(drops.includes('-A BERTH-x -i b ! -o b -j DROP'), 'an internal network never leaves its bridge');
  assert.ok(!drops.some((r) => r.includes('-i a ! -o a')), 'a normal network may go out');
  assert.ok(rules.every((r) => r.startsWith('-A BERTH-x ')));
});

test('NAT is per network, none for internal ones: outbound, and published ports reached from 127/8 or by hairpin', () => {
  const rules = natRules('BERTH-x', [{ bridge: 'a', subnet: '10.1.0.0/24', internal: false }, { bridge: 'b', subnet: '10.2.0.0/24', internal: true }]);
  assert.deepEqual(rules, [
    '-A BERTH-x -s 10.1.0.0/24 ! -o a -j MASQUERADE',
    '-A BERTH-x -s 127.0.0.0/8 -o a -j MASQUERADE',
    '-A BERTH-x -s 10.1.0.0/24 -o a -m conntrack --ctstate DNAT -j MASQUERADE',
  ]);
});

test('no bridge reaches the host\'s loopback addresses (the jump to the chain matches 127/8)', () => {
  assert.deepEqual(rawRules('BERTH-x', [{ bridge: 'a', subnet: '10.1.0.0/24', internal: false }]), ['-A BERTH-x -i a -j DROP']);
});
