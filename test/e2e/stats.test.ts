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
    assert.equal(one.networks, undefined, 'no networks with --network none, as Docker');
  } finally {
    await ctx.d.docker(['rm', '-f', id]);
  }
});

test('a bridged container reports its interface counters, and docker stats shows NET I/O', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c',
    'ping -c 3 -i 0.2 $(ip route | awk \'/default/ {print $3}\') >/dev/null; sleep 600'])).stdout.trim();
  try {
    let eth0: Record<string, number> | undefined;
    for (let i = 0; i < 50; i++) {
      const one = await ctx.d.client.json<Record<string, any>>('GET', `/containers/${id}/stats`, { query: { stream: false, 'one-shot': true } });
      eth0 = one.networks?.eth0;
      if (eth0 && eth0.tx_packets >= 3 && eth0.rx_packets >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(eth0 && eth0.tx_packets >= 3 && eth0.rx_packets >= 3 && eth0.rx_bytes > 0, JSON.stringify(eth0));
    assert.equal(Object.keys(eth0!).sort().join(), 'rx_bytes,rx_dropped,rx_errors,rx_packets,tx_bytes,tx_dropped,tx_errors,tx_packets');
    const r = await ctx.d.docker(['stats', '--no-stream', '--format', '{{.NetIO}}', 'talker']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /^0B \/ 0B/, r.stdout);
  } finally {
    await ctx.d.docker(['rm', '-f', id]);
  }
});

test('stats of a missing container is a 404', async () => {
  const err = await ctx.d.client.request('GET', '/containers/nope/stats', { query: { stream: false } }).catch((e) => e);
  assert.equal(err.statusCode, 404);
  assert.match(err.message, /No such container: nope/);
});
