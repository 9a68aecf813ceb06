import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDetachKeys } from './detach-keys';

test('parseDetachKeys reads docker\'s notation and defaults to ctrl-p,ctrl-q', () => {
  assert.deepEqual([...parseDetachKeys(undefined)], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x,DEL,ctrl-@,ctrl-_')], [1, 120, 127, 0, 31]);
  assert.throws(() => parseDetachKeys('ctrl-1'), /Invalid detach keys \(ctrl-1\) provided/);
  assert.throws(() => parseDetachKeys('ab'), /Invalid detach keys/);
  assert.throws(() => parseDetachKeys('ctrl-1', 'escape keys'), /Invalid escape keys \(ctrl-1\) provided/);
});
