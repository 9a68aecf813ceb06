import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNormalizedNamed, referenceString, familiarString } from './reference';

test('a bare name becomes docker.io/library/NAME:latest', () => {
  assert.equal(referenceString(parseNormalizedNamed('busybox')), 'docker.io/library/busybox:latest');
  assert.equal(familiarString(parseNormalizedNamed('busybox')), 'busybox:latest');
});

test('user repos, registries with ports and digests are kept', () => {
  assert.equal(referenceString(parseNormalizedNamed('me/app:1.0')), 'docker.io/me/app:1.0');
  assert.equal(referenceString(parseNormalizedNamed('localhost:5000/x/y:z')), 'localhost:5000/x/y:z');
  const d = 'sha256:' + 'a'.repeat(64);
  const r = parseNormalizedNamed(`busybox@${d}`);
  assert.equal(r.digest, d);
  assert.equal(r.tag, undefined);
  assert.equal(familiarString(parseNormalizedNamed('docker.io/library/busybox:1')), 'busybox:1');
});

test('bad references are refused with Docker wording', () => {
  assert.throws(() => parseNormalizedNamed('Busybox'), /repository name must be lowercase/);
  assert.throws(() => parseNormalizedNamed('a b'), /invalid reference format/);
  assert.throws(() => parseNormalizedNamed('x:'), /invalid reference format/);
  assert.throws(() => parseNormalizedNamed('../etc'), /invalid reference format/);
  assert.throws(() => parseNormalizedNamed(''), /invalid reference format/);
});
