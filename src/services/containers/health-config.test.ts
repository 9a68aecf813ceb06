import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeHealthcheck, probeSpec, validateHealthcheck } from './health-config';
import { formatGoDuration } from '../../units/human';

test('the user\'s healthcheck replaces the image\'s field by field', () => {
  const image = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 5e9, Timeout: 2e9, Retries: 5 };
  assert.deepEqual(mergeHealthcheck(undefined, image), image);
  assert.deepEqual(mergeHealthcheck({ Interval: 1e9 }, image), {
    Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 1e9, Timeout: 2e9, StartPeriod: undefined, StartInterval: undefined, Retries: 5,
  });
  assert.deepEqual(mergeHealthcheck({ Test: ['NONE'] }, image)!.Test, ['NONE']);
  assert.deepEqual(mergeHealthcheck({ Test: ['CMD', 'true'] }, undefined), { Test: ['CMD', 'true'] });
});

test('probeSpec: CMD runs as given, CMD-SHELL through the shell, NONE and unknown types have no probe; Docker\'s defaults', () => {
  assert.deepEqual(probeSpec({ Test: ['CMD', 'check', '-v'] }, undefined), {
    cmd: ['check', '-v'], intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000,
  });
  assert.deepEqual(probeSpec({ Test: ['CMD-SHELL', 'exit 1'], Interval: 2e8 }, undefined)!.cmd, ['/bin/sh', '-c', 'exit 1']);
  assert.equal(probeSpec({ Test: ['CMD-SHELL', 'x'], Interval: 2e8 }, undefined)!.intervalMs, 200);
  assert.deepEqual(probeSpec({ Test: ['CMD-SHELL', 'x'] }, ['/bin/bash', '-ec'])!.cmd, ['/bin/bash', '-ec', 'x']);
  assert.equal(probeSpec({ Test: ['NONE'] }, undefined), undefined);
  assert.equal(probeSpec({ Test: ['WHAT', 'x'] }, undefined), undefined);
  assert.equal(probeSpec(undefined, undefined), undefined);
});

test('validateHealthcheck refuses durations under 1ms and negative retries', () => {
  validateHealthcheck({ Test: ['CMD', 'true'], Interval: 1e6, Retries: 0 });
  validateHealthcheck(undefined);
  assert.throws(() => validateHealthcheck({ Timeout: 999 }), /Timeout in Healthcheck cannot be less than 1ms/);
  assert.throws(() => validateHealthcheck({ StartInterval: 5 }), /StartInterval in Healthcheck cannot be less than 1ms/);
  assert.throws(() => validateHealthcheck({ Retries: -1 }), /Retries in Healthcheck cannot be negative/);
  assert.throws(() => validateHealthcheck({ Test: 'true' as unknown as string[] }), /array of strings/);
});

test('formatGoDuration prints as Go does', () => {
  assert.equal(formatGoDuration(300), '300ms');
  assert.equal(formatGoDuration(30_000), '30s');
  assert.equal(formatGoDuration(90_000), '1m30s');
  assert.equal(formatGoDuration(3_600_000), '1h0m0s');
  assert.equal(formatGoDuration(1500), '1.5s');
});
