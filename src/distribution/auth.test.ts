// Tests of challenge parsing and X-Registry-Auth decoding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRegistryAuth, parseChallenges } from './auth';

describe('registry auth', () => {
  it('parses a bearer challenge with quoted and bare parameters', () => {
    const c = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", error=insufficient_scope');
    assert.equal(c.length, 1);
    assert.equal(c[0].scheme, 'bearer');
    assert.deepEqual(c[0].params, { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push', error: 'insufficient_scope' });
    assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
    assert.deepEqual(parseChallenges(undefined), []);
  });

  it('decodes X-Registry-Auth in base64url and from the auth field; empty is anonymous', () => {
    const enc = Buffer.from(JSON.stringify({ username: 'u', password: 'p?>' })).toString('base64url');
    assert.deepEqual(decodeRegistryAuth(enc), { username: 'u', password: 'p?>' });
    const viaAuth = Buffer.from(JSON.stringify({ auth: Buffer.from('me:secret').toString('base64') })).toString('base64');
    assert.equal(decodeRegistryAuth(viaAuth)?.password, 'secret');
    assert.equal(decodeRegistryAuth(Buffer.from('{}').toString('base64')), undefined);
    assert.equal(decodeRegistryAuth(undefined), undefined);
    assert.throws(() => decodeRegistryAuth('!!notjson'), /X-Registry-Auth/);
  });
});
