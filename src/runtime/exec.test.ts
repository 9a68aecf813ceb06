import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execProcessSpec, privilegedCapabilities } from './exec';

const containerProcess = {
  terminal: false, user: { uid: 0, gid: 0 }, args: ['sleep', '300'], env: ['PATH=/bin', 'HOME=/root'], cwd: '/',
  capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] },
  rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }], noNewPrivileges: false,
};
const input = {
  args: ['echo', 'hi'], env: ['A=1'], cwd: '/tmp', user: { uid: 65534, gid: 65534, additionalGids: [] },
  tty: false, privileged: false,
};

test('the exec spec is the container\'s process with the exec\'s command, env, cwd, user and terminal', () => {
  const spec = execProcessSpec(containerProcess, input, []);
  assert.deepEqual(spec.args, ['echo', 'hi']);
  assert.deepEqual(spec.env, ['A=1']);
  assert.equal(spec.cwd, '/tmp');
  assert.deepEqual(spec.user, { uid: 65534, gid: 65534 });
  assert.equal(spec.terminal, false);
  assert.deepEqual(spec.capabilities, containerProcess.capabilities);
  assert.deepEqual(spec.rlimits, containerProcess.rlimits);
  assert.equal(spec.consoleSize, undefined);
});

test('a privileged TTY exec gets the given capabilities and its console size', () => {
  const spec = execProcessSpec(containerProcess, { ...input, tty: true, privileged: true, consoleSize: { height: 40, width: 120 } }, ['CAP_SYS_ADMIN']);
  assert.equal(spec.terminal, true);
  assert.deepEqual(spec.consoleSize, { height: 40, width: 120 });
  assert.deepEqual(spec.capabilities, { bounding: ['CAP_SYS_ADMIN'], effective: ['CAP_SYS_ADMIN'], permitted: ['CAP_SYS_ADMIN'] });
});

test('privileged capabilities stop at berthd\'s own bounding set', async () => {
  const caps = await privilegedCapabilities('Name:\tberthd\nCapBnd:\t0000000000200001\n');
  assert.deepEqual(caps, ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
});
