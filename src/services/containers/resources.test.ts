import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adaptResources, linuxResources, mergeUpdate, parseCpuList, verifyResources, type ResourceFacts } from './resources';

const facts: ResourceFacts = { cpus: 2, cpusetCpus: '0-1', cpusetMems: '0', swapLimit: true, blkioWeight: true, cgroupV2: false };
const MB = 1024 * 1024;

describe('resources', () => {
  it('maps HostConfig to OCI linux.resources', () => {
    assert.deepEqual(linuxResources({ Memory: 32 * MB, MemorySwap: 64 * MB, MemoryReservation: 16 * MB, NanoCpus: 1.5e9, CpuShares: 512, CpusetCpus: '0', PidsLimit: 10, BlkioWeight: 300 }), {
      memory: { limit: 32 * MB, swap: 64 * MB, reservation: 16 * MB },
      cpu: { shares: 512, period: 100000, quota: 150000, cpus: '0' },
      pids: { limit: 10 },
      blockIO: { weight: 300 },
    });
    assert.deepEqual(linuxResources({}), {});
    assert.deepEqual(linuxResources({ PidsLimit: -1 }), {});
    assert.deepEqual(linuxResources({ PidsLimit: -1 }, true), { pids: { limit: -1 } });
    assert.deepEqual(linuxResources({ CpuPeriod: 50000, CpuQuota: 25000 }).cpu, { period: 50000, quota: 25000 });
  });

  it("defaults MemorySwap to twice Memory, as Docker does", () => {
    const hc = { Memory: 32 * MB };
    adaptResources(hc);
    assert.equal((hc as { MemorySwap?: number }).MemorySwap, 64 * MB);
  });

  it("refuses bad values with Docker's messages", () => {
    const bad: Array<[object, RegExp]> = [
      [{ Memory: MB }, /^Minimum memory limit allowed is 6MB$/],
      [{ Memory: 64 * MB, MemorySwap: 32 * MB }, /Minimum memoryswap limit should be larger than memory limit/],
      [{ MemorySwap: 32 * MB }, /You should always set the Memory limit when using Memoryswap limit/],
      [{ MemoryReservation: MB }, /Minimum memory reservation allowed is 6MB/],
      [{ Memory: 8 * MB, MemoryReservation: 16 * MB }, /Minimum memory limit can not be less than memory reservation limit/],
      [{ NanoCpus: 1e9, CpuPeriod: 100000 }, /^Conflicting options: Nano CPUs and CPU Period cannot both be set$/],
      [{ NanoCpus: 1e9, CpuQuota: 100000 }, /Nano CPUs and CPU Quota cannot both be set/],
      [{ NanoCpus: 3e9 }, /^Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available$/],
      [{ CpuPeriod: 999 }, /CPU cfs period can not be less than 1ms/],
      [{ CpuQuota: 999 }, /CPU cfs quota can not be less than 1ms/],
      [{ CpusetCpus: '0-3' }, /^Requested CPUs are not available - requested 0-3, available: 0-1$/],
      [{ CpusetCpus: '1-0' }, /^Invalid value 1-0 for cpuset cpus: invalid format: 1-0$/],
      [{ CpusetMems: '1' }, /Requested memory nodes are not available/],
      [{ BlkioWeight: 5 }, /Range of blkio weight is from 10 to 1000/],
    ];
    for (const [hc, msg] of bad) assert.throws(() => verifyResources({ ...hc }, facts), (err: Error) => msg.test(err.message) && (err as { kind?: string }).kind === 'InvalidParameter', JSON.stringify(hc));
    assert.deepEqual(verifyResources({ Memory: 32 * MB, NanoCpus: 1e9, CpusetCpus: '0,1' }, facts), []);
  });

  it('warns and drops what the host cannot do', () => {
    const hc = { Memory: 32 * MB, BlkioWeight: 100 };
    const w = verifyResources(hc, { ...facts, swapLimit: false, blkioWeight: false });
    assert.equal(w.length, 2);
    assert.deepEqual(hc, { Memory: 32 * MB, BlkioWeight: 0, MemorySwap: -1 });
  });

  it('merges updates and refuses the conflicts Docker refuses', () => {
    const hc = { Memory: 32 * MB, MemorySwap: 64 * MB, NanoCpus: 1e9 };
    assert.deepEqual(mergeUpdate(hc, { Memory: 48 * MB, PidsLimit: 10 }, facts).changed, { Memory: 48 * MB, PidsLimit: 10 });
    assert.throws(() => mergeUpdate(hc, { Memory: 128 * MB }, facts), /Memory limit should be smaller than already set memoryswap limit/);
    assert.throws(() => mergeUpdate(hc, { CpuQuota: 50000 }, facts), /CPU Quota cannot be updated as NanoCPUs has already been set/);
    assert.throws(() => mergeUpdate(hc, { Memory: MB }, facts), /Minimum memory limit allowed is 6MB/);
  });

  it('parses cpu lists', () => {
    assert.deepEqual(parseCpuList('0-2,5'), [0, 1, 2, 5]);
    assert.throws(() => parseCpuList('a'), /invalid format: a/);
  });
});
