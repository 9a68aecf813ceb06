// `berth update`'s flags into docker's UpdateConfig: sizes and --cpus through the run parsers, pflag's integer errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateBody } from './update';
import { nanoCpus } from './container-config';

const bad = (flag: string, text: string, reason: string) => new Error(`${flag}|${text}|${reason}`);

test('flags become the update body; unset values are 0 and an unset pids limit is left out', () => {
  assert.deepEqual(updateBody({ memory: '64m', memorySwap: '-1', cpus: '1.5', pidsLimit: '-1', restart: 'on-failure:3', cpusetCpus: '0' }, bad), {
    BlkioWeight: 0, CpusetCpus: '0', CpusetMems: '', CpuShares: 0, Memory: 64 * 1024 * 1024, MemoryReservation: 0, MemorySwap: -1,
    CpuPeriod: 0, CpuQuota: 0, NanoCpus: 1_500_000_000, PidsLimit: -1, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
  });
  assert.equal('PidsLimit' in updateBody({ cpuShares: '512' }, bad), false);
  assert.deepEqual(updateBody({ cpuShares: '512' }, bad).RestartPolicy, { Name: '', MaximumRetryCount: 0 });
});

test('bad values name the flag with pflag\'s wording', () => {
  assert.throws(() => updateBody({ memory: 'lots' }, bad), /^Error: -m, --memory\|lots\|invalid size: 'lots'$/);
  assert.throws(() => updateBody({ blkioWeight: '70000' }, bad), /--blkio-weight\|70000\|strconv.ParseUint: parsing "70000": value out of range/);
  assert.throws(() => updateBody({ cpuPeriod: '1x' }, bad), /--cpu-period\|1x\|strconv.ParseInt: parsing "1x": invalid syntax/);
  assert.throws(() => updateBody({ kernelMemory: 'x' }, bad), /--kernel-memory\|x\|invalid size/);
  assert.throws(() => updateBody({ restart: 'always:x' }, bad), /maximum retry count must be an integer/);
});

test('--cpus takes any rational number docker accepts, to the nanosecond', () => {
  assert.equal(nanoCpus('0.5'), 500_000_000);
  assert.equal(nanoCpus('2'), 2_000_000_000);
  assert.equal(nanoCpus('3/2'), 1_500_000_000);
  assert.equal(nanoCpus('1e-3'), 1_000_000);
  assert.equal(nanoCpus('.25'), 250_000_000);
  assert.throws(() => nanoCpus('1.0000000001'), /value is too precise/);
  assert.throws(() => nanoCpus('abc'), /failed to parse abc as a rational number/);
  assert.throws(() => nanoCpus('1/0'), /failed to parse/);
});
