// The Engine API surface: ping, version, info, versioned paths and Docker-shaped errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { useDaemon } from './harness';

const ctx = useDaemon({ busybox: false });

function raw(path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: ctx.d.socket, path, method }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/_ping answers OK with the API-Version header', async () => {
  const r = await raw('/_ping');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'OK');
  assert.equal(r.headers['api-version'], '1.45');
  assert.equal((await raw('/v1.24/_ping')).status, 200);
});

test('/version gives the API range; /info the engine facts', async () => {
  const v = JSON.parse((await raw('/v1.45/version')).body);
  assert.equal(v.ApiVersion, '1.45');
  assert.equal(v.MinAPIVersion, '1.24');
  assert.equal(v.Os, 'linux');
  const info = JSON.parse((await raw('/info')).body);
  assert.equal(info.Driver, 'overlay2');
  assert.equal(typeof info.NCPU, 'number');
  const cli = await ctx.d.docker(['version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(cli.stdout.trim(), '1.45', cli.stderr);
  assert.equal((await ctx.d.docker(['info'])).code, 0);
});

test('too new or too old API versions and unknown paths are refused in Docker\'s shape', async () => {
  const tooNew = await raw('/v1.99/containers/json');
  assert.equal(tooNew.status, 400);
  assert.match(JSON.parse(tooNew.body).message, /client version 1.99 is too new/);
  const tooOld = await raw('/v1.12/containers/json');
  assert.equal(tooOld.status, 400);
  assert.match(JSON.parse(tooOld.body).message, /too old/);
  const missing = await raw('/nope');
  assert.equal(missing.status, 404);
  assert.ok(JSON.parse(missing.body).message);
  const noContainer = await raw('/containers/abc/json');
  assert.equal(noContainer.status, 404);
  assert.equal(JSON.parse(noContainer.body).message, 'No such container: abc');
  const badFilter = await raw('/containers/json?filters=notjson');
  assert.equal(badFilter.status, 400);
  const badRegex = await raw(`/containers/json?filters=${encodeURIComponent(JSON.stringify({ name: ['(['] }))}`);
  assert.equal(badRegex.status, 400);
});

test('docker system df sums images and containers', async () => {
  const df = await ctx.d.docker(['system', 'df']);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE/);
  assert.match(df.stdout, /Images\s+0\s+0/);
  const body = JSON.parse((await raw('/system/df')).body);
  assert.equal(typeof body.LayersSize, 'number');
  assert.deepEqual(body.Volumes, []);
});
