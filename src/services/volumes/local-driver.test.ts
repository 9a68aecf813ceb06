import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localMount, validateLocalOptions } from './local-driver';

test('no options is a plain directory; tmpfs and bind options become mounts', () => {
  assert.equal(localMount(null), undefined);
  assert.equal(localMount({}), undefined);
  assert.deepEqual(localMount({ type: 'tmpfs', device: 'tmpfs', o: 'size=10m,mode=0755,uid=1000' }), { type: 'tmpfs', source: 'tmpfs', options: ['size=10m', 'mode=0755', 'uid=1000'] });
  assert.deepEqual(localMount({ type: 'none', device: '/srv', o: 'bind,ro' }), { type: 'none', source: '/srv', options: ['bind', 'ro'] });
});

test('unknown keys, unsafe mount options and other filesystems are refused', () => {
  assert.throws(() => validateLocalOptions('v', { colour: 'red' }), /create v: invalid option: "colour"/);
  assert.throws(() => validateLocalOptions('v', { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,remount' }), /invalid tmpfs option: "remount"/);
  assert.throws(() => validateLocalOptions('v', { type: 'tmpfs', device: 'tmpfs', o: 'size=1m;rm -rf' }), /invalid tmpfs option/);
  assert.throws(() => validateLocalOptions('v', { type: 'tmpfs', device: '--make-rshared' }), /invalid tmpfs device/);
  assert.throws(() => validateLocalOptions('v', { type: 'none', device: 'relative', o: 'bind' }), /must be an absolute path/);
  assert.throws(() => validateLocalOptions('v', { device: '/x' }), /missing required option: "type"/);
  assert.throws(() => validateLocalOptions('v', { type: 'tmpfs' }), /create v: missing required option: "device"/);
  assert.throws(() => validateLocalOptions('v', { type: 'nfs', device: ':/x', o: 'addr=1.2.3.4' }), (e: Error & { kind?: string }) => e.kind === 'NotImplemented');
});
