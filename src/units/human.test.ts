// Durations, sizes and timestamps print as go-units and docker print them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiTimestamp, bytesSize, formatG, humanDuration, humanSize, parseGoDuration } from './human';

test('durations read like docker ps', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(3_500), '3 seconds');
  assert.equal(humanDuration(60_000), 'About a minute');
  assert.equal(humanDuration(2 * 60_000 + 5000), '2 minutes');
  assert.equal(humanDuration(59 * 60_000), '59 minutes');
  assert.equal(humanDuration(60 * 60_000), 'About an hour');
  assert.equal(humanDuration(5 * 3600_000), '5 hours');
  assert.equal(humanDuration(3 * 86400_000), '3 days');
  assert.equal(humanDuration(20 * 86400_000), '2 weeks');
  assert.equal(humanDuration(90 * 86400_000), '3 months');
  assert.equal(humanDuration(800 * 86400_000), '2 years');
});

test('sizes use decimal units and 3 significant digits', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(1_981_234), '1.98MB');
  assert.equal(humanSize(4_260_000), '4.26MB');
  assert.equal(humanSize(136_123), '136kB');
  assert.equal(humanSize(5_000_000_000), '5GB');
  assert.equal(humanSize(999.9), '1e+03B');
  assert.equal(bytesSize(8_233_000_000), '7.668GiB');
});

test('Go %g formatting', () => {
  assert.equal(formatG(1.5, 3), '1.5');
  assert.equal(formatG(0.00001234, 3), '1.23e-05');
});

test('Go durations and --since timestamps', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('10s'), 10_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('abc'), undefined);
  assert.equal(apiTimestamp('10s', 1_700_000_010_000), '1700000000.000000000');
  assert.equal(apiTimestamp('1700000000'), '1700000000');
  assert.equal(apiTimestamp('2023-11-14T22:13:20Z'), '1700000000.000000000');
});
