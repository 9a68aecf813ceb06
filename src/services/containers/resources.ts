// Docker's resource limits: HostConfig's Memory/CPU/pids/blkio fields checked as Docker checks them, and turned into OCI linux.resources.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ConflictError, InvalidParameterError } from '../../errors';
import type { LinuxResources } from '../../runtime';
import { isCgroupV2 } from '../../runtime/spec';
import type { HostConfig } from './record';

/** The HostConfig resource fields berth applies (Docker's container.Resources). */
export interface ResourceFields {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  OomKillDisable?: boolean | null;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
}

/** What the host's cgroups support; read from /sys/fs/cgroup when omitted. */
export interface ResourceFacts {
  cpus: number;
  /** cpuset the host offers ("0-3"). */
  cpusetCpus: string;
  cpusetMems: string;
  swapLimit: boolean;
  blkioWeight: boolean;
  cgroupV2: boolean;
}

const MIN_MEMORY = 6 * 1024 * 1024;
const CFS_PERIOD = 100_000;

export function hostResourceFacts(root = '/sys/fs/cgroup'): ResourceFacts {
  const v2 = isCgroupV2(root);
  const read = (p: string, dflt: string) => { try { return readFileSync(p, 'utf8').trim() || dflt; } catch { return dflt; } };
  const cpus = availableParallelism();
  return {
    cpus,
    cgroupV2: v2,
    cpusetCpus: read(v2 ? `${root}/cpuset.cpus.effective` : `${root}/cpuset/cpuset.cpus`, `0-${cpus - 1}`),
    cpusetMems: read(v2 ? `${root}/cpuset.mems.effective` : `${root}/cpuset/cpuset.mems`, '0'),
    // v2 always has memory.swap.max below the root when the memory controller is on.
    swapLimit: v2 ? read(`${root}/cgroup.controllers`, '').split(' ').includes('memory') : existsSync(`${root}/memory/memory.memsw.limit_in_bytes`),
    blkioWeight: v2 ? read(`${root}/cgroup.controllers`, '').split(' ').includes('io') : existsSync(`${root}/blkio/blkio.weight`) || existsSync(`${root}/blkio/blkio.bfq.weight`),
  };
}

/** "0-2,4" → [0,1,2,4]; throws `invalid format: …` as Docker's parsers.ParseUintList does. */
export function parseCpuList(s: string): number[] {
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) throw new Error(`invalid format: ${s}`);
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.add(i);
  }
  return [...out];
}

function checkCpuset(requested: string | undefined, available: string, what: 'cpus' | 'mems'): void {
  if (!requested) return;
  let list: number[];
  try {
    list = parseCpuList(requested);
  } catch (err) {
    throw new InvalidParameterError(`Invalid value ${requested} for cpuset ${what}: ${(err as Error).message}`);
  }
  const have = new Set(parseCpuList(available));
  if (list.some((n) => !have.has(n))) {
    throw new InvalidParameterError(what === 'cpus'
      ? `Requested CPUs are not available - requested ${requested}, available: ${available}`
      : `Requested memory nodes are not available - requested ${requested}, available: ${available}`);
  }
}

/**
 * Docker's verifyPlatformContainerResources: throws InvalidParameterError with Docker's
 * message for a bad value, returns warnings, and drops what the host cannot do (as Docker does).
 * `update` relaxes the "Memory with MemorySwap" rule, since the memory limit may already be set.
 */
export function verifyResources(config: HostConfig | ResourceFields, facts: ResourceFacts, update = false): string[] {
  const hc = config as ResourceFields;
  const warnings: string[] = [];
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const memory = n(hc.Memory);
  if (memory !== 0 && memory < MIN_MEMORY) throw new InvalidParameterError('Minimum memory limit allowed is 6MB');
  if (memory > 0 && n(hc.MemorySwap) !== -1 && !facts.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    hc.MemorySwap = -1;
  }
  if (memory > 0 && n(hc.MemorySwap) > 0 && n(hc.MemorySwap) < memory) {
    throw new InvalidParameterError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (memory === 0 && n(hc.MemorySwap) > 0 && !update) {
    throw new InvalidParameterError('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  const reservation = n(hc.MemoryReservation);
  if (reservation > 0 && reservation < MIN_MEMORY) throw new InvalidParameterError('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw new InvalidParameterError('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (hc.OomKillDisable && facts.cgroupV2) {
    warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    hc.OomKillDisable = false;
  }
  if (hc.OomKillDisable && memory === 0) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  const nano = n(hc.NanoCpus);
  if (nano > 0 && n(hc.CpuPeriod) > 0) throw new InvalidParameterError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && n(hc.CpuQuota) > 0) throw new InvalidParameterError('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > facts.cpus * 1e9) {
    throw new InvalidParameterError(`Range of CPUs is from 0.01 to ${facts.cpus}.00, as there are only ${facts.cpus} CPUs available`);
  }
  const period = n(hc.CpuPeriod);
  if (period !== 0 && (period < 1000 || period > 1_000_000)) {
    throw new InvalidParameterError('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  const quota = n(hc.CpuQuota);
  if (quota > 0 && quota < 1000) throw new InvalidParameterError('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (n(hc.CpuShares) < 0) throw new InvalidParameterError('shares: invalid argument');
  checkCpuset(hc.CpusetCpus, facts.cpusetCpus, 'cpus');
  checkCpuset(hc.CpusetMems, facts.cpusetMems, 'mems');
  if (n(hc.BlkioWeight) > 0 && !facts.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    hc.BlkioWeight = 0;
  }
  const weight = n(hc.BlkioWeight);
  if (weight > 0 && (weight < 10 || weight > 1000)) throw new InvalidParameterError('Range of blkio weight is from 10 to 1000');
  return warnings;
}

/** Docker's adaptContainerSettings for resources: MemorySwap defaults to twice Memory. */
export function adaptResources(config: HostConfig): void {
  const hc = config as ResourceFields;
  if (typeof hc.Memory === 'number' && hc.Memory > 0 && !hc.MemorySwap) hc.MemorySwap = hc.Memory * 2;
}

/** OCI linux.resources for the container (moby daemon/oci_linux.go getMemoryResources/getCPUResources/getPidsLimit). */
export function linuxResources(config: HostConfig | ResourceFields, forUpdate = false): LinuxResources {
  const hc = config as ResourceFields;
  const out: LinuxResources = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (hc.Memory) memory.limit = hc.Memory;
  if (hc.MemoryReservation) memory.reservation = hc.MemoryReservation;
  if (hc.MemorySwap) memory.swap = hc.MemorySwap;
  if (hc.OomKillDisable && !forUpdate) memory.disableOOMKiller = true;
  if (Object.keys(memory).length) out.memory = memory;
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (hc.CpuShares) cpu.shares = hc.CpuShares;
  if (hc.NanoCpus) {
    cpu.period = CFS_PERIOD;
    cpu.quota = Math.floor((hc.NanoCpus * CFS_PERIOD) / 1e9);
  }
  if (hc.CpuPeriod) cpu.period = hc.CpuPeriod;
  if (hc.CpuQuota) cpu.quota = hc.CpuQuota;
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;
  // 0 or negative means unlimited: nothing to set at create, "max" (-1) on update.
  if (typeof hc.PidsLimit === 'number') {
    if (hc.PidsLimit > 0) out.pids = { limit: hc.PidsLimit };
    else if (forUpdate) out.pids = { limit: -1 };
  }
  if (hc.BlkioWeight) out.blockIO = { weight: hc.BlkioWeight };
  return out;
}

const UPDATABLE: ReadonlyArray<keyof ResourceFields> = [
  'BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'Memory', 'MemorySwap', 'MemoryReservation', 'PidsLimit',
];

/**
 * Docker's container.UpdateContainer: check `update` against the container's current
 * resources, merge the set (non-zero) fields into `hc`, and return what changed.
 * Throws ConflictError for Docker's "Conflicting options" cases.
 */
export function mergeUpdate(hc: HostConfig, update: ResourceFields, facts: ResourceFacts): { changed: ResourceFields; warnings: string[] } {
  const cur = hc as ResourceFields;
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  if (n(update.NanoCpus) > 0 && n(cur.CpuPeriod) > 0) throw new ConflictError('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (n(update.NanoCpus) > 0 && n(cur.CpuQuota) > 0) throw new ConflictError('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (n(update.CpuPeriod) > 0 && n(cur.NanoCpus) > 0) throw new ConflictError('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (n(update.CpuQuota) > 0 && n(cur.NanoCpus) > 0) throw new ConflictError('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  if (n(update.Memory) !== 0 && n(cur.MemorySwap) > 0 && n(update.Memory) > n(cur.MemorySwap) && n(update.MemorySwap) === 0) {
    throw new ConflictError('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
  }
  const changed: ResourceFields = {};
  for (const k of UPDATABLE) {
    const v = update[k];
    if (v === undefined || v === null || v === 0 || v === '') continue;
    (changed as Record<string, unknown>)[k] = v;
  }
  const merged = { ...cur, ...changed };
  const warnings = verifyResources(merged, facts, true);
  // verifyResources may drop what the host cannot do; keep the merged view consistent.
  for (const k of UPDATABLE) if (k in changed) (changed as Record<string, unknown>)[k] = merged[k];
  return { changed, warnings };
}
