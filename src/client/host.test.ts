// Daemon address resolution: -H, BERTH_HOST, DOCKER_HOST, default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_HOST, parseDaemonAddress, resolveHostUrl } from './host';

test('the -H flag wins, then BERTH_HOST, then DOCKER_HOST, then the default socket', () => {
  const env = { BERTH_HOST: 'unix:///b.sock', DOCKER_HOST: 'unix:///d.sock' };
  assert.equal(resolveHostUrl('unix:///flag.sock', env), 'unix:///flag.sock');
  assert.equal(resolveHostUrl(undefined, env), 'unix:///b.sock');
  assert.equal(resolveHostUrl(undefined, { DOCKER_HOST: 'unix:///d.sock' }), 'unix:///d.sock');
  assert.equal(resolveHostUrl(undefined, {}), DEFAULT_HOST);
  assert.equal(DEFAULT_HOST, 'unix:///run/berth/berth.sock');
});

test('addresses parse into unix paths or tcp host/port', () => {
  assert.deepEqual(parseDaemonAddress('unix:///run/berth/berth.sock'), { kind: 'unix', socketPath: '/run/berth/berth.sock', url: 'unix:///run/berth/berth.sock' });
  assert.deepEqual(parseDaemonAddress('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375, url: 'tcp://127.0.0.1:2375' });
  assert.equal(parseDaemonAddress('/tmp/x.sock').kind, 'unix');
  assert.throws(() => parseDaemonAddress('ssh://host'), /unsupported daemon address/);
});
