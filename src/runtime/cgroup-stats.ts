// One sample of a container's resource use, read from its cgroup files (v1 controllers or the v2 unified tree), in Docker's stats shape.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const CLK_TCK = 100;

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage: number;
  online_cpus: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface StatsSample {
  read: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: { io_service_bytes_recursive: Array<{ major: number; minor: number; op: string; value: number }> | null };
  cpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; limit?: number; failcnt?: number; stats?: Record<string, number> };
}

const text = (p: string) => readFile(p, 'utf8').catch(() => undefined);
const num = async (p: string) => {
  const t = (await text(p))?.trim();
  return t === undefined || t === '' || t === 'max' ? undefined : Number(t);
};

function keyValues(t: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (t ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** The host's total CPU time in nanoseconds, as Docker computes system_cpu_usage from /proc/stat. */
async function systemCpuUsage(): Promise<number> {
  const first = (await text('/proc/stat'))?.split('\n')[0] ?? '';
  const ticks = first.split(/\s+/).slice(1, 8).reduce((s, x) => s + Number(x || 0), 0);
  return (ticks * 1e9) / CLK_TCK;
}

function blkio(t: string | undefined): StatsSample['blkio_stats']['io_service_bytes_recursive'] {
  const rows = (t ?? '').split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3 && /^\d+:\d+$/.test(f[0]));
  return rows.map(([dev, op, value]) => {
    const [major, minor] = dev.split(':').map(Number);
    return { major, minor, op: op.toLowerCase(), value: Number(value) };
  });
}

/** Read one sample for the cgroup at `cgroupsPath` (e.g. "/berth/<id>"). Missing files leave fields out. */
export async function readCgroupStats(cgroupsPath: string, cgroupV2: boolean, root = '/sys/fs/cgroup'): Promise<StatsSample> {
  const at = (controller: string, file: string) => path.join(root, cgroupV2 ? '' : controller, cgroupsPath, file);
  const online = os.cpus().length;
  const system = await systemCpuUsage();
  if (cgroupV2) {
    const cpu = keyValues(await text(at('', 'cpu.stat')));
    const mem = keyValues(await text(at('', 'memory.stat')));
    return {
      read: new Date().toISOString(),
      pids_stats: { current: await num(at('', 'pids.current')), limit: await num(at('', 'pids.max')) },
      blkio_stats: { io_service_bytes_recursive: null },
      cpu_stats: {
        cpu_usage: { total_usage: (cpu.usage_usec ?? 0) * 1000, usage_in_kernelmode: (cpu.system_usec ?? 0) * 1000, usage_in_usermode: (cpu.user_usec ?? 0) * 1000 },
        system_cpu_usage: system, online_cpus: online,
        throttling_data: { periods: cpu.nr_periods ?? 0, throttled_periods: cpu.nr_throttled ?? 0, throttled_time: (cpu.throttled_usec ?? 0) * 1000 },
      },
      memory_stats: { usage: await num(at('', 'memory.current')), limit: (await num(at('', 'memory.max'))) ?? os.totalmem(), stats: mem },
    };
  }
  const acct = keyValues(await text(at('cpuacct', 'cpuacct.stat')));
  const throttle = keyValues(await text(at('cpu', 'cpu.stat')));
  const percpu = (await text(at('cpuacct', 'cpuacct.usage_percpu')))?.trim().split(/\s+/).filter(Boolean).map(Number);
  const memLimit = await num(at('memory', 'memory.limit_in_bytes'));
  return {
    read: new Date().toISOString(),
    pids_stats: { current: await num(at('pids', 'pids.current')), limit: await num(at('pids', 'pids.max')) },
    blkio_stats: { io_service_bytes_recursive: blkio(await text(at('blkio', 'blkio.throttle.io_service_bytes_recursive'))) },
    cpu_stats: {
      cpu_usage: {
        total_usage: (await num(at('cpuacct', 'cpuacct.usage'))) ?? 0,
        percpu_usage: percpu,
        usage_in_kernelmode: ((acct.system ?? 0) * 1e9) / CLK_TCK,
        usage_in_usermode: ((acct.user ?? 0) * 1e9) / CLK_TCK,
      },
      system_cpu_usage: system, online_cpus: online,
      throttling_data: { periods: throttle.nr_periods ?? 0, throttled_periods: throttle.nr_throttled ?? 0, throttled_time: throttle.throttled_time ?? 0 },
    },
    memory_stats: {
      usage: await num(at('memory', 'memory.usage_in_bytes')),
      max_usage: await num(at('memory', 'memory.max_usage_in_bytes')),
      failcnt: await num(at('memory', 'memory.failcnt')),
      // An unlimited v1 cgroup reports a huge number: Docker shows the host's memory instead.
      limit: memLimit === undefined || memLimit > os.totalmem() ? os.totalmem() : memLimit,
      stats: keyValues(await text(at('memory', 'memory.stat'))),
    },
  };
}
