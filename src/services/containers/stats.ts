// GET /containers/{id}/stats: samples of the container's cgroup, one a second, with the previous one beside it.
import { readCgroupStats, type StatsSample } from '../../runtime/cgroup-stats';
import { readNetworkStats, type InterfaceStats } from '../../runtime/net-stats';
import { isCgroupV2 } from '../../runtime/spec';
import type { ContainerContext } from './context';
import type { ContainerRecord } from './record';

const INTERVAL_MS = 1000;
const cgroupV2 = isCgroupV2();

const EMPTY_CPU: StatsSample['cpu_stats'] = {
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, system_cpu_usage: 0, online_cpus: 0,
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
};

/**
 * Stream Docker's stats objects. `oneShot` gives a single sample without a
 * previous one; `stream: false` waits one interval so CPU percentages can be
 * computed, as Docker does. A stopped container yields zeroed samples.
 */
export async function* containerStats(ctx: ContainerContext, r: ContainerRecord, opts: { stream: boolean; oneShot: boolean; signal: AbortSignal }): AsyncIterable<object> {
  // As Docker: only a container with its own network (not host, none or another container's) reports `networks`.
  const mode = r.hostConfig.NetworkMode || 'default';
  const ownNetwork = mode !== 'host' && mode !== 'none' && !mode.startsWith('container:');
  type Sample = StatsSample & { networks?: Record<string, InterfaceStats> };
  const sample = async (): Promise<Sample | undefined> => {
    if (!r.state.Running) return undefined;
    const [cg, networks] = await Promise.all([readCgroupStats(ctx.cgroupsPath(r.id), cgroupV2), ownNetwork ? readNetworkStats(r.state.Pid) : undefined]);
    return networks ? { ...cg, networks } : cg;
  };
  const shape = (cur: Sample | undefined, prev: Sample | undefined) => ({
    read: cur?.read ?? '0001-01-01T00:00:00Z',
    preread: prev?.read ?? '0001-01-01T00:00:00Z',
    pids_stats: cur?.pids_stats ?? {},
    blkio_stats: cur?.blkio_stats ?? { io_service_bytes_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cur?.cpu_stats ?? EMPTY_CPU,
    precpu_stats: prev?.cpu_stats ?? EMPTY_CPU,
    memory_stats: cur?.memory_stats ?? {},
    ...(cur?.networks ? { networks: cur.networks } : {}),
    name: r.name,
    id: r.id,
  });
  let prev: Sample | undefined;
  if (!opts.oneShot) {
    prev = await sample();
    if (!(await pause(INTERVAL_MS, opts.signal))) return;
  }
  for (;;) {
    const cur = await sample();
    yield shape(cur, prev);
    if (!opts.stream || opts.oneShot) return;
    prev = cur;
    if (!(await pause(INTERVAL_MS, opts.signal))) return;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(true); }, ms);
    const onAbort = () => { clearTimeout(t); resolve(false); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
