import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardRules } from './firewall';

test('networks are isolated from each other before anything is accepted', () => {
  const rules = forwardRules('BERTH-x', [{ bridge: 'a', internal: false }, { bridge: 'b', internal: true }]);
  const firstAccept = rules.findIndex((r) => r.endsWith('ACCEPT'));
  const drops = rules.slice(0, firstAccept);
  assert.ok(drops.includes('-A BERTH-x -i a -o b -j DROP'));
  assert.ok(drops.includes('-A BERTH-x -i b -o a -j DROP'));
  assert.ok(drops.includes('-A BERTH-x -i b ! -o b -j DROP'), 'an internal network never leaves its bridge');
  assert.ok(!drops.some((r) => r.includes('-i a ! -o a')), 'a normal network may go out');
  assert.ok(rules.every((r) => r.startsWith('-A BERTH-x ')));
});
