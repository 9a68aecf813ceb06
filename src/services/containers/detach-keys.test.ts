import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachScanner, parseDetachKeys } from './detach-keys';

test('parseDetachKeys reads docker\'s notation and defaults to ctrl-p,ctrl-q', () => {
  assert.deepEqual([...parseDetachKeys(undefined)], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x,DEL,ctrl-@,ctrl-_')], [1, 120, 127, 0, 31]);
  assert.throws(() => parseDetachKeys('ctrl-1'), /Invalid detach keys \(ctrl-1\) provided/);
  assert.throws(() => parseDetachKeys('ab'), /Invalid detach keys/);
});

test('the scanner swallows the sequence, across chunks, and passes a broken prefix on', () => {
  const s = new DetachScanner(parseDetachKeys(''));
  assert.deepEqual(s.feed(Buffer.from('ls\r')), { forward: Buffer.from('ls\r'), detach: false });
  assert.deepEqual(s.feed(Buffer.from([0x10])), { forward: Buffer.alloc(0), detach: false });
  assert.deepEqual(s.feed(Buffer.from('a')), { forward: Buffer.from([0x10, 0x61]), detach: false });
  assert.deepEqual(s.feed(Buffer.from([0x10, 0x10])), { forward: Buffer.from([0x10]), detach: false });
  assert.deepEqual(s.feed(Buffer.from([0x11, 0x62])), { forward: Buffer.alloc(0), detach: true });
  const one = new DetachScanner(parseDetachKeys('ctrl-x'));
  assert.deepEqual(one.feed(Buffer.from([0x61, 0x18, 0x62])), { forward: Buffer.from('a'), detach: true });
});
