import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router';
import { splitVersion } from './version';

test('routes match methods and capture parameters, names with slashes included', () => {
  const r = new Router();
  const h = async () => undefined;
  r.add('GET', '/containers/{id}/json', h).add('GET', '/images/{name*}/json', h).add('DELETE', '/images/{name*}', h);
  const m = r.match('GET', '/containers/abc/json');
  assert.ok(m && m !== 'method');
  assert.deepEqual(m.params, { id: 'abc' });
  const img = r.match('GET', '/images/localhost:5000/team/app:1/json');
  assert.ok(img && img !== 'method');
  assert.equal(img.params.name, 'localhost:5000/team/app:1');
  assert.equal(r.match('POST', '/containers/abc/json'), 'method');
  assert.equal(r.match('GET', '/nothing'), undefined);
});

test('version prefixes are stripped and checked against the supported range', () => {
  assert.deepEqual(splitVersion('/v1.41/containers/json'), { version: '1.41', path: '/containers/json' });
  assert.deepEqual(splitVersion('/containers/json'), { version: '1.45', path: '/containers/json' });
  assert.throws(() => splitVersion('/v1.46/info'), /too new/);
  assert.throws(() => splitVersion('/v1.23/info'), /too old/);
});
