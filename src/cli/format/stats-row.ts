// The `stats` row as docker's statsContext shows it, and docker/cli's arithmetic from a stats sample to CPU %, memory and I/O.
import { bytesSize, humanSize } from '../../units/human';
import { shortId } from './formatter';

/** The fields of GET /containers/{id}/stats that `stats` reads (cgroup v1 and v2 Linux shapes). */
export interface StatsSample {
  name?: string;
  id?: string;
  cpu_stats?: CpuSample;
  precpu_stats?: CpuSample;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats?: { current?: number };
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}
interface CpuSample { cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null }; system_cpu_usage?: number; online_cpus?: number }

/** One container's figures, as docker's StatsEntry; `invalid` shows dashes (no sample yet, or the stream failed). */
export interface StatsEntry {
  container: string; name: string; id: string;
  cpuPercent: number; memory: number; memoryLimit: number; memoryPercent: number;
  netRx: number; netTx: number; blockRead: number; blockWrite: number; pids: number;
  invalid: boolean;
}

export const STATS_LABELS: Record<string, string> = {
  Container: 'CONTAINER', Name: 'NAME', ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};
export const STATS_DEFAULT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

/** CPU % between two samples: container delta / host delta × online CPUs × 100 (0 unless both deltas are positive). */
export function cpuPercent(s: StatsSample): number {
  const cur = s.cpu_stats ?? {};
  const prev = s.precpu_stats ?? {};
  const cpuDelta = (cur.cpu_usage?.total_usage ?? 0) - (prev.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cur.system_cpu_usage ?? 0) - (prev.system_cpu_usage ?? 0);
  const online = cur.online_cpus || (cur.cpu_usage?.percpu_usage?.length ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** Memory in use without the page cache that can be dropped: usage − total_inactive_file (v1) or − inactive_file (v2). */
export function memUsageNoCache(mem: StatsSample['memory_stats']): number {
  const usage = mem?.usage ?? 0;
  const stats = mem?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

export function memPercent(limit: number, used: number): number {
  return limit !== 0 ? (used / limit) * 100 : 0;
}

/** Bytes read and written, summed over devices by the first letter of the op, as docker does. */
export function blockIO(blkio: StatsSample['blkio_stats']): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of blkio?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '')[0]?.toLowerCase();
    if (op === 'r') read += e.value ?? 0;
    else if (op === 'w') write += e.value ?? 0;
  }
  return { read, write };
}

export function networkIO(networks: StatsSample['networks']): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(networks ?? {})) { rx += n.rx_bytes ?? 0; tx += n.tx_bytes ?? 0; }
  return { rx, tx };
}

/** A placeholder entry for `container` (the name or ID asked for), shown as dashes until a sample arrives. */
export function emptyEntry(container: string): StatsEntry {
  return { container, name: '', id: '', cpuPercent: 0, memory: 0, memoryLimit: 0, memoryPercent: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 0, invalid: true };
}

/** docker's StatsEntry from one Linux stats sample. */
export function entryFromSample(container: string, s: StatsSample): StatsEntry {
  const memory = memUsageNoCache(s.memory_stats);
  const memoryLimit = s.memory_stats?.limit ?? 0;
  const net = networkIO(s.networks);
  const blk = blockIO(s.blkio_stats);
  return {
    container, name: s.name ?? '', id: s.id ?? '',
    cpuPercent: cpuPercent(s), memory, memoryLimit, memoryPercent: memPercent(memoryLimit, memory),
    netRx: net.rx, netTx: net.tx, blockRead: blk.read, blockWrite: blk.write, pids: s.pids_stats?.current ?? 0, invalid: false,
  };
}

/** Go's FormatFloat(v, 'f', 2): like toFixed, except that an exact tie rounds to even (3.125 → "3.12"). */
export function percent(v: number): string {
  const exact = v.toFixed(100);
  const dot = exact.indexOf('.');
  const kept = exact.slice(0, dot + 3);
  const tie = /^50*$/.test(exact.slice(dot + 3));
  return `${tie && Number(kept[kept.length - 1]) % 2 === 0 ? kept : v.toFixed(2)}%`;
}

/** One `stats` line for --format; methods are the template's fields. */
export class StatsRow {
  static readonly goType = '*container.statsContext';
  constructor(private readonly e: StatsEntry, private readonly trunc: boolean) {}
  Container(): string { return this.e.container; }
  /** The API's name carries docker's leading "/"; "--" before the first sample. */
  Name(): string { return this.e.name.length > 1 ? this.e.name.slice(1) : '--'; }
  ID(): string { return this.trunc ? shortId(this.e.id) : this.e.id; }
  CPUPerc(): string { return this.e.invalid ? '--' : percent(this.e.cpuPercent); }
  MemUsage(): string { return this.e.invalid ? '-- / --' : `${bytesSize(this.e.memory)} / ${bytesSize(this.e.memoryLimit)}`; }
  MemPerc(): string { return this.e.invalid ? '--' : percent(this.e.memoryPercent); }
  NetIO(): string { return this.e.invalid ? '--' : `${humanSize(this.e.netRx)} / ${humanSize(this.e.netTx)}`; }
  BlockIO(): string { return this.e.invalid ? '--' : `${humanSize(this.e.blockRead)} / ${humanSize(this.e.blockWrite)}`; }
  PIDs(): string { return this.e.invalid ? '--' : String(this.e.pids); }
  toJSON(): Record<string, string> {
    return {
      BlockIO: this.BlockIO(), CPUPerc: this.CPUPerc(), Container: this.Container(), ID: this.ID(), MemPerc: this.MemPerc(),
      MemUsage: this.MemUsage(), Name: this.Name(), NetIO: this.NetIO(), PIDs: this.PIDs(),
    };
  }
}
