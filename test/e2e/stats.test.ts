// docker stats from the container's real cgroup files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon();

test('stats --no-stream shows CPU and memory of a busy container', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--name', 'busy', '--network', 'none', 'busybox', 'sh', '-c', 'while true; do :; done'])).stdout.trim();
  try {
    const r = await ctx.d.docker(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', 'busy']);
    assert.equal(r.code, 0, r.stderr);
    const [name, cpu, mem, , , pids] = r.stdout.trim().split(/\s+/);
    assert.equal(name, 'busy');
    assert.ok(Number(cpu.replace('%', '')) > 20, `a spinning shell uses CPU: ${cpu}`);
    assert.match(mem, /^[\d.]+[KMG]iB$/);
    assert.equal(pids, '1');
    const one = await ctx.d.client.json<Record<string, any>>('GET', `/containers/${id}/stats`, { query: { stream: false } });
    for (const k of ['cpu_stats', 'precpu_stats', 'memory_stats', 'pids_stats', 'blkio_stats']) assert.ok(k in one, k);
    assert.ok(one.cpu_stats.cpu_usage.total_usage > one.precpu_stats.cpu_usage.total_usage);
    assert.ok(one.memory_stats.usage > 0);
  } finally {
    await ctx.d.docker(['rm', '-f', id]);
  }
});

test('stats of a missing container is a 404', async () => {
  const err = await ctx.d.client.request('GET', '/containers/nope/stats', { query: { stream: false } }).catch((e) => e);
  assert.equal(err.statusCode, 404);
  assert.match(err.message, /No such container: nope/);
});
