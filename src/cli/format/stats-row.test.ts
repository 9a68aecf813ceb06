// docker/cli's stats arithmetic: CPU % from two samples, memory without inactive file cache, I/O sums, and the row's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockIO, cpuPercent, emptyEntry, entryFromSample, memPercent, memUsageNoCache, networkIO, percent, StatsRow } from './stats-row';

test('CPU % is the container delta over the host delta times the online CPUs', () => {
  const s = {
    precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 100_000_000_000 },
    cpu_stats: { cpu_usage: { total_usage: 1_500_000_000 }, system_cpu_usage: 102_000_000_000, online_cpus: 2 },
  };
  assert.equal(cpuPercent(s), 50); // 0.5 s of CPU over 2 s of host time (both CPUs counted) × 2 CPUs
});

test('CPU % falls back to the per-CPU list and is 0 when either delta is not positive', () => {
  const base = { precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 } };
  assert.equal(cpuPercent({ ...base, cpu_stats: { cpu_usage: { total_usage: 200, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 2000 } }), 40);
  assert.equal(cpuPercent({ ...base, cpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 2000, online_cpus: 2 } }), 0);
  assert.equal(cpuPercent({ ...base, cpu_stats: { cpu_usage: { total_usage: 200 }, system_cpu_usage: 1000, online_cpus: 2 } }), 0);
  assert.equal(cpuPercent({}), 0);
});

test('memory excludes total_inactive_file on cgroup v1 and inactive_file on v2, never going below zero', () => {
  assert.equal(memUsageNoCache({ usage: 10_000, stats: { total_inactive_file: 4_000, inactive_file: 1_000 } }), 6_000);
  assert.equal(memUsageNoCache({ usage: 10_000, stats: { inactive_file: 3_000 } }), 7_000);
  assert.equal(memUsageNoCache({ usage: 10_000, stats: { total_inactive_file: 20_000, inactive_file: 2_000 } }), 8_000);
  assert.equal(memUsageNoCache({ usage: 10_000, stats: { inactive_file: 20_000 } }), 10_000);
  assert.equal(memUsageNoCache(undefined), 0);
  assert.equal(memPercent(1024, 256), 25);
  assert.equal(memPercent(0, 256), 0);
});

test('percentages round as Go prints them: ties to even, the rest to nearest', () => {
  assert.deepEqual([3.125, 3.135, 0.005, 0.015, 2 / 3, 0, 100].map(percent), ['3.12%', '3.13%', '0.01%', '0.01%', '0.67%', '0.00%', '100.00%']);
});

test('block and network I/O add up over devices and interfaces', () => {
  assert.deepEqual(blockIO({ io_service_bytes_recursive: [
    { op: 'Read', value: 10 }, { op: 'write', value: 5 }, { op: 'Read', value: 1 }, { op: 'Total', value: 99 }, { op: '', value: 7 },
  ] }), { read: 11, write: 5 });
  assert.deepEqual(blockIO({ io_service_bytes_recursive: null }), { read: 0, write: 0 });
  assert.deepEqual(networkIO({ eth0: { rx_bytes: 100, tx_bytes: 50 }, eth1: { rx_bytes: 1, tx_bytes: 2 } }), { rx: 101, tx: 52 });
});

test('a row prints as docker stats does, with dashes before the first sample', () => {
  const e = entryFromSample('web', {
    name: '/web', id: 'a'.repeat(64),
    memory_stats: { usage: 3 * 1024 * 1024, limit: 64 * 1024 * 1024, stats: { total_inactive_file: 1024 * 1024 } },
    pids_stats: { current: 3 },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4_260_000 }] },
  });
  const row = new StatsRow(e, true);
  assert.deepEqual(row.toJSON(), {
    BlockIO: '4.26MB / 0B', CPUPerc: '0.00%', Container: 'web', ID: 'aaaaaaaaaaaa', MemPerc: '3.12%',
    MemUsage: '2MiB / 64MiB', Name: 'web', NetIO: '0B / 0B', PIDs: '3',
  });
  const none = new StatsRow(emptyEntry('db'), false);
  assert.deepEqual([none.Name(), none.CPUPerc(), none.MemUsage(), none.MemPerc(), none.NetIO(), none.BlockIO(), none.PIDs()],
    ['--', '--', '-- / --', '--', '--', '--', '--']);
});
