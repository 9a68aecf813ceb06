import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachKeyFilter, parseDetachKeys } from './detach-keys';

test('the filter swallows the sequence, across chunks, and passes a broken prefix on', () => {
  const s = new DetachKeyFilter(parseDetachKeys('ctrl-p,ctrl-q'));
  assert.deepEqual(s.filter(Buffer.from('ls\r')), { forward: Buffer.from('ls\r'), detach: false });
  assert.deepEqual(s.filter(Buffer.from([0x10])), { forward: Buffer.alloc(0), detach: false });
  assert.deepEqual(s.filter(Buffer.from('a')), { forward: Buffer.from([0x10, 0x61]), detach: false });
  assert.deepEqual(s.filter(Buffer.from([0x10, 0x10])), { forward: Buffer.from([0x10]), detach: false });
  assert.deepEqual(s.filter(Buffer.from([0x11, 0x62])), { forward: Buffer.alloc(0), detach: true });
  const one = new DetachKeyFilter(parseDetachKeys('ctrl-x'));
  assert.deepEqual(one.filter(Buffer.from([0x61, 0x18, 0x62])), { forward: Buffer.from('a'), detach: true });
});
