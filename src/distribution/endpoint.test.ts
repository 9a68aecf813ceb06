// Tests of which registries may be reached over plain HTTP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isInsecure, resolveEndpoint } from './endpoint';

describe('registry endpoints', () => {
  it('allows plain HTTP for loopback and --insecure-registry entries only', () => {
    assert.equal(isInsecure('localhost:5000'), true);
    assert.equal(isInsecure('127.0.0.1:5000'), true);
    assert.equal(isInsecure('127.9.9.9'), true);
    assert.equal(isInsecure('[::1]:5000'), true);
    assert.equal(isInsecure('registry.example:5000'), false);
    assert.equal(isInsecure('10.1.2.3:5000'), false);
    assert.equal(isInsecure('10.1.2.3:5000', ['10.0.0.0/8']), true);
    assert.equal(isInsecure('reg.lan:5000', ['reg.lan:5000']), true);
    assert.equal(isInsecure('reg.lan:5001', ['reg.lan:5000']), false);
  });

  it('maps docker.io to its registry host', () => {
    assert.equal(resolveEndpoint('docker.io', { certsDir: '/nonexistent' }).host, 'registry-1.docker.io');
    assert.equal(resolveEndpoint('localhost:5000', { certsDir: '/nonexistent' }).host, 'localhost:5000');
  });

  it("adds a registry's own CAs and client certificate from certs.d", (t) => {
    const dir = mkdtempSync('/tmp/berth-certsd-');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(path.join(dir, 'reg.example:5000'));
    writeFileSync(path.join(dir, 'reg.example:5000', 'ca.crt'), 'CA PEM');
    writeFileSync(path.join(dir, 'reg.example:5000', 'client.cert'), 'CERT');
    writeFileSync(path.join(dir, 'reg.example:5000', 'client.key'), 'KEY');
    const e = resolveEndpoint('reg.example:5000', { certsDir: dir });
    assert.equal(e.tls.ca?.at(-1), 'CA PEM');
    assert.ok((e.tls.ca?.length ?? 0) > 1, 'system CAs kept');
    assert.equal(e.tls.cert?.toString(), 'CERT');
    assert.deepEqual(resolveEndpoint('other:5000', { certsDir: dir }).tls, {});
  });
});
