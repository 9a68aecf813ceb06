// Tests of which registries may be reached over plain HTTP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
});
