import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfig, processArgs } from './process-config';

test('image CMD is used when the user gives none, and dropped when the user sets an entrypoint', () => {
  const image = { Cmd: ['sh'], Entrypoint: null, Env: ['PATH=/bin', 'A=1'] };
  assert.deepEqual(processArgs(mergeConfig({}, image, 'busybox')), { path: 'sh', args: [] });
  assert.deepEqual(processArgs(mergeConfig({ Entrypoint: ['echo'] }, image, 'busybox')), { path: 'echo', args: [] });
  assert.deepEqual(processArgs(mergeConfig({ Cmd: ['ls', '-l'] }, image, 'busybox')), { path: 'ls', args: ['-l'] });
});

test('user env overrides image env by key; PATH is kept', () => {
  const c = mergeConfig({ Env: ['A=2'] }, { Env: ['PATH=/bin', 'A=1'] }, 'x');
  assert.deepEqual(c.Env, ['A=2', 'PATH=/bin']);
});

test('an empty entrypoint clears the image entrypoint; nothing to run is refused', () => {
  const c = mergeConfig({ Entrypoint: [''], Cmd: ['echo', 'hi'] }, { Entrypoint: ['/init'] }, 'x');
  assert.deepEqual(processArgs(c), { path: 'echo', args: ['hi'] });
  assert.throws(() => processArgs(mergeConfig({}, {}, 'x')), /No command specified/);
});
