import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneFilter } from './prune-filter';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const old = { created: '2026-01-01T10:00:00.000Z', labels: { team: 'a', keep: '' } };
const fresh = { created: '2026-01-01T11:59:00.000Z', labels: { team: 'b' } };

test('until keeps networks created after it: a duration before now, an RFC 3339 date or a Unix timestamp', () => {
  for (const until of ['1h', '2026-01-01T11:00:00Z', String(Date.parse('2026-01-01T11:00:00Z') / 1000)]) {
    const f = pruneFilter({ until: [until] }, NOW);
    assert.deepEqual([f(old), f(fresh)], [true, false], until);
  }
});

test('every label filter must match; label! excludes networks that match all of its values', () => {
  assert.deepEqual([old, fresh].map(pruneFilter({ label: ['team'] }, NOW)), [true, true]);
  assert.deepEqual([old, fresh].map(pruneFilter({ label: ['team=a', 'keep'] }, NOW)), [true, false]);
  assert.deepEqual([old, fresh].map(pruneFilter({ 'label!': ['keep'] }, NOW)), [false, true]);
  assert.deepEqual([old, fresh].map(pruneFilter({ 'label!': ['team=b'] }, NOW)), [true, false]);
});

test('unknown filters, two untils and unreadable times are bad parameters', () => {
  const bad = (filters: Record<string, string[]>, msg: RegExp) => assert.throws(() => pruneFilter(filters, NOW), (e: Error & { code?: string }) => msg.test(e.message) && e.constructor.name === 'InvalidParameterError');
  bad({ dangling: ['true'] }, /invalid filter 'dangling'/);
  bad({ until: ['1h', '2h'] }, /more than one until filter specified/);
  bad({ until: ['yesterday'] }, /invalid filter 'until=yesterday'/);
});
