import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from './changes';

test('CMD in JSON and shell form, ENV merged, WORKDIR and USER set', () => {
  const cfg = applyChanges({ Env: ['PATH=/bin', 'A=1'] }, ['CMD ["echo","hi"]', 'ENV A=2 B="x y"', 'WORKDIR /w', 'USER nobody']);
  assert.deepEqual(cfg.Cmd, ['echo', 'hi']);
  assert.deepEqual(cfg.Env, ['PATH=/bin', 'A=2', 'B=x y']);
  assert.equal(cfg.WorkingDir, '/w');
  assert.equal(cfg.User, 'nobody');
  assert.deepEqual(applyChanges({}, ['CMD echo hi']).Cmd, ['/bin/sh', '-c', 'echo hi']);
});

test('an unknown change is refused', () => {
  assert.throws(() => applyChanges({}, ['RUN rm -rf /']), /not a valid change command/);
});
