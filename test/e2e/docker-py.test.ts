// docker-py (Debian's python3-docker) drives berthd: run (network none), exec, stats, logs, remove.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { run, useDaemon } from './harness';

const ctx = useDaemon();
const SCRIPT = path.resolve(__dirname, '../../../test/e2e/docker-py.py');

test('docker-py runs a container, execs in it, reads stats and logs, and removes it', async () => {
  // Debian's python3 with Debian's python3-docker (make setup installs it), not whatever python3 is first on PATH.
  const r = await run('/usr/bin/python3', [SCRIPT], { env: { ...process.env, DOCKER_HOST: ctx.d.host } });
  assert.equal(r.code, 0, r.stderr);
  const seen = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(seen.ping, true);
  assert.equal(seen.status, 'running');
  assert.equal(seen.network_mode, 'none');
  assert.deepEqual(seen.labels, { suite: 'docker-py' });
  assert.equal(seen.exec_exit, 3);
  assert.equal(seen.exec_output, 'hello from exec\n');
  assert.equal(seen.exec_user, '65534');
  assert.deepEqual(seen.exec_demux, ['out\n', 'err\n']);
  assert.deepEqual(seen.stats_keys, ['blkio_stats', 'cpu_stats', 'memory_stats', 'pids_stats', 'precpu_stats']);
  assert.ok(seen.memory_usage > 0);
  assert.ok(seen.pids >= 1);
  assert.equal(seen.logs, 'started\nto-stderr\n');
  assert.equal(seen.stdout_only, 'started\n');
  assert.equal(seen.removed, true);
});
