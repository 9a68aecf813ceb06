import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execEnv, startFailureCode } from './exec';

const record = { config: { Env: ['PATH=/usr/bin', 'FOO=container'], Hostname: 'box' } } as Parameters<typeof execEnv>[0];

test('exec env: HOSTNAME, TERM with a TTY, the container\'s env, the exec\'s on top, HOME when unset', () => {
  assert.deepEqual(execEnv(record, ['FOO=exec', 'BAR=1'], true, '/home'),
    ['HOSTNAME=box', 'TERM=xterm', 'PATH=/usr/bin', 'FOO=exec', 'BAR=1', 'HOME=/home']);
  assert.deepEqual(execEnv(record, ['HOME=/x'], false, '/home'), ['HOSTNAME=box', 'PATH=/usr/bin', 'FOO=container', 'HOME=/x']);
});

test('a command the runtime cannot find is 127, anything else it cannot start 126', () => {
  assert.equal(startFailureCode('exec: "nope": executable file not found in $PATH'), 127);
  assert.equal(startFailureCode('chdir to cwd ("/x") set in config.json failed: no such file or directory'), 127);
  assert.equal(startFailureCode('exec: "/etc/passwd": permission denied'), 126);
});
