// Resource limits through berthd: memory, CPU, pids in the container's cgroup, docker update, and Docker's validation messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';
import { isCgroupV2 } from '../../src/runtime/spec';

const ctx = useDaemon();
const v2 = isCgroupV2();
const memFile = v2 ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';

const run = (args: string[], cmd: string) => ctx.d.docker(['run', '--rm', '--network', 'none', ...args, 'busybox', 'sh', '-c', cmd]);

test('--memory, --cpus and --pids-limit land in the cgroup and in inspect', async () => {
  const mem = await run(['--memory', '32m'], `cat ${memFile}`);
  assert.equal(mem.stdout.trim(), String(32 * 1024 * 1024), mem.stderr);
  const cpu = await run(['--cpus', '0.5'], v2 ? 'cat /sys/fs/cgroup/cpu.max' : 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us');
  assert.equal(cpu.stdout.trim().split(/\s+/).join(' '), '50000 100000', cpu.stderr);
  const pids = await run(['--pids-limit', '5'], `cat ${v2 ? '/sys/fs/cgroup/pids.max' : '/sys/fs/cgroup/pids/pids.max'}; for i in 1 2 3 4 5 6; do sleep 5 & done 2>&1; wait`);
  assert.match(pids.stdout, /^5\n/, pids.stderr);
  assert.match(pids.stdout + pids.stderr, /can't fork|Resource temporarily unavailable/);
  const id = (await ctx.d.docker(['create', '--network', 'none', '--memory', '64m', '--cpus', '1.5', '--pids-limit', '100', '--cpuset-cpus', '0', 'busybox'])).stdout.trim();
  const hc = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .HostConfig}}', id])).stdout);
  assert.equal(hc.Memory, 64 * 1024 * 1024);
  assert.equal(hc.MemorySwap, 128 * 1024 * 1024);
  assert.equal(hc.NanoCpus, 1.5e9);
  assert.equal(hc.PidsLimit, 100);
  assert.equal(hc.CpusetCpus, '0');
  await ctx.d.docker(['rm', id]);
});

test('docker update changes a running container\'s limits', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', '--memory', '32m', 'busybox', 'sleep', '60'])).stdout.trim();
  const up = await ctx.d.docker(['update', '--memory', '48m', '--memory-swap', '96m', '--pids-limit', '20', id]);
  assert.equal(up.code, 0, up.stderr);
  // Read the cgroup from the host side through the container's own view.
  const inside = await ctx.d.docker(['inspect', '--format', '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}', id]);
  assert.equal(inside.stdout.trim(), `${48 * 1024 * 1024} 20`);
  const limitFile = v2 ? `/sys/fs/cgroup/berth/${id}/memory.max` : `/sys/fs/cgroup/memory/berth/${id}/memory.limit_in_bytes`;
  const { readFileSync, existsSync } = await import('node:fs');
  if (existsSync(limitFile)) assert.equal(readFileSync(limitFile, 'utf8').trim(), String(48 * 1024 * 1024));
  const conflict = await ctx.d.docker(['update', '--memory', '200m', id]);
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Memory limit should be smaller than already set memoryswap limit/);
  await ctx.d.docker(['rm', '-f', id]);
});

test('bad values are refused with Docker\'s messages', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--memory', '1m'], /Minimum memory limit allowed is 6MB/],
    [['--memory', '64m', '--memory-swap', '32m'], /Minimum memoryswap limit should be larger than memory limit/],
    [['--cpus', '1', '--cpu-period', '50000'], /Conflicting options: Nano CPUs and CPU Period cannot both be set/],
    [['--cpu-period', '10'], /CPU cfs period can not be less than 1ms/],
    [['--cpuset-cpus', '0-4096'], /Requested CPUs are not available - requested 0-4096/],
    [['--cpuset-cpus', 'x'], /Invalid value x for cpuset cpus/],
    [['--cpus', '4096'], /Range of CPUs is from 0.01 to \d+\.00, as there are only \d+ CPUs available/],
  ];
  for (const [args, msg] of cases) {
    const r = await ctx.d.docker(['create', '--network', 'none', ...args, 'busybox']);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, msg, args.join(' '));
  }
  const api = await fetchStatus();
  assert.equal(api, 400);
});

async function fetchStatus(): Promise<number> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: ctx.d.socket, path: '/containers/create', method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ Image: 'busybox', HostConfig: { Memory: 1024, NetworkMode: 'none' } }));
  });
}

test('a container over its memory limit is OOM-killed: exit 137 and State.OOMKilled', async () => {
  const r = await ctx.d.docker(['run', '--name', 'hog', '--network', 'none', '--memory', '16m', '--memory-swap', '16m', 'busybox', 'sh', '-c',
    'x=a; while true; do x="$x$x"; done']);
  assert.equal(r.code, 137, r.stderr);
  const state = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State}}', 'hog'])).stdout);
  assert.equal(state.OOMKilled, true);
  assert.equal(state.ExitCode, 137);
  await ctx.d.docker(['rm', 'hog']);
});
