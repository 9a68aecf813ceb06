// Registries that misbehave or need a token: a bearer-token front over the real registry, and a hostile peer that lies, bloats or hangs up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { useDaemon } from './harness';
import { haveRegistry, startRegistry, type TestRegistry } from './registry';

const ctx = useDaemon();
let reg: TestRegistry;
const servers: http.Server[] = [];

before(async () => {
  if (haveRegistry()) reg = await startRegistry();
});
after(async () => {
  await reg?.stop();
  for (const s of servers) { s.closeAllConnections(); s.close(); }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const srv = http.createServer(handler);
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(srv.address() as { port: number }).port}`;
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

test('the bearer-token challenge: token fetched from the realm with the credentials and scope, then used', { skip: !haveRegistry() && 'docker-registry is not installed' }, async () => {
  const scopes: string[] = [];
  let host = '';
  host = await listen((req, res) => {
    if (req.url!.startsWith('/token')) {
      const u = new URL(req.url!, 'http://x');
      scopes.push(...u.searchParams.getAll('scope'));
      const ok = req.headers.authorization === 'Basic ' + Buffer.from('tok:en').toString('base64');
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' }).end(ok ? JSON.stringify({ token: 'good-token' }) : '{}');
      return;
    }
    if (req.headers.authorization !== 'Bearer good-token') {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host}/token",service="test",scope="repository:x:pull"`, 'Content-Type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: Number(reg.host.split(':')[1]), method: req.method, path: req.url, headers: { ...req.headers, host: reg.host } }, (r) => {
      const headers = { ...r.headers };
      if (headers.location) headers.location = headers.location.replace(reg.host, host);
      res.writeHead(r.statusCode!, headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  const img = `${host}/tok/box:1`;
  await ctx.d.docker(['tag', 'busybox', img]);
  const login = await ctx.d.docker(['login', '-u', 'tok', '--password-stdin', host], { input: 'en\n' });
  assert.equal(login.code, 0, login.stderr);
  const push = await ctx.d.docker(['push', img]);
  assert.equal(push.code, 0, push.stderr);
  assert.ok(scopes.includes('repository:tok/box:pull,push'), scopes.join(' '));
  await ctx.d.docker(['rmi', img]);
  const pull = await ctx.d.docker(['pull', img]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.ok(scopes.includes('repository:tok/box:pull'));
  await ctx.d.docker(['logout', host]);
  const anon = await ctx.d.docker(['pull', img]);
  assert.notEqual(anon.code, 0);
  assert.match(anon.stderr, /pull access denied/);
});

/** A one-layer image served by a hostile registry; `layerBody` decides what the blob request gets. */
async function hostile(layerBody: (res: http.ServerResponse, layer: Buffer) => void, opts: { manifestPad?: number; noise?: number } = {}): Promise<string> {
  const p = pack();
  p.entry({ name: 'f.txt' }, 'hostile\n');
  if (opts.noise) p.entry({ name: 'noise' }, randomBytes(opts.noise));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  const tar = Buffer.concat(chunks);
  const layer = gzipSync(Buffer.concat([tar, Buffer.alloc(256 * 1024)]));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(Buffer.concat([tar, Buffer.alloc(256 * 1024)]))] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha(layer), size: layer.length }],
    pad: 'x'.repeat(opts.manifestPad ?? 0),
  }));
  return listen((req, res) => {
    if (req.url === '/v2/') return void res.writeHead(200).end('{}');
    if (req.url!.includes('/manifests/')) return void res.writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' }).end(manifest);
    if (req.url!.endsWith(sha(config))) return void res.writeHead(200).end(config);
    if (req.url!.endsWith(sha(layer))) return layerBody(res, layer);
    res.writeHead(404).end();
  });
}

function blobCount(): number {
  return readdirSync(path.join(ctx.d.dataRoot, 'content', 'blobs', 'sha256')).length;
}

test('a layer whose bytes do not match its digest is refused and nothing is kept', async () => {
  const host = await hostile((res, layer) => {
    const bad = Buffer.from(layer);
    bad[bad.length - 20] ^= 0xff;
    res.writeHead(200, { 'Content-Length': bad.length }).end(bad);
  });
  const before = blobCount();
  const r = await ctx.d.docker(['pull', `${host}/evil/img:1`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /filesystem layer verification failed for digest sha256:/);
  assert.equal(blobCount(), before);
  assert.deepEqual(readdirSync(path.join(ctx.d.dataRoot, 'content', 'ingest')), []);
  assert.equal((await ctx.d.docker(['image', 'inspect', `${host}/evil/img:1`])).code, 1);
});

test('a manifest over the size limit is refused before it is read whole', async () => {
  const host = await hostile((res, layer) => res.writeHead(200).end(layer), { manifestPad: 5 * 1024 * 1024 });
  const r = await ctx.d.docker(['pull', `${host}/big/img:1`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /manifest (too big|exceeds the size limit)/);
});

test('a registry that drops the connection mid-layer: retried, and no half-written blob is visible', async () => {
  let attempts = 0;
  const host = await hostile((res, layer) => {
    attempts++;
    res.writeHead(200, { 'Content-Length': layer.length });
    res.write(layer.subarray(0, layer.length >> 1));
    if (attempts === 1) {
      res.socket?.destroy();
      return;
    }
    res.end(layer.subarray(layer.length >> 1));
  });
  const r = await ctx.d.docker(['pull', `${host}/flaky/img:1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Retrying in 1 second/);
  assert.equal(attempts, 2);
  const always = await hostile((res, layer) => {
    res.writeHead(200, { 'Content-Length': layer.length });
    res.write(layer.subarray(0, 100));
    res.socket?.destroy();
  });
  const before = blobCount();
  const fail = await ctx.d.docker(['pull', `${always}/down/img:1`]);
  assert.notEqual(fail.code, 0);
  assert.equal(blobCount(), before);
  assert.deepEqual(readdirSync(path.join(ctx.d.dataRoot, 'content', 'ingest')), []);
});

test('a client that goes away mid-pull cancels it: no partial blob, no layer and no image is left', async () => {
  const stalled: http.ServerResponse[] = [];
  const host = await hostile((res, layer) => {
    res.writeHead(200, { 'Content-Length': layer.length });
    res.write(layer.subarray(0, layer.length >> 1));
    stalled.push(res);
  }, { noise: 4 * 1024 * 1024 });
  const before = blobCount();
  const snapshots = path.join(ctx.d.dataRoot, 'snapshots');
  // Unpacking happens in temp dirs (swept at daemon start); what counts is that no layer is committed.
  const layers = () => readdirSync(snapshots).filter((n) => !n.startsWith('tmp-')).sort();
  const layersBefore = layers();
  const ac = new AbortController();
  const res = await ctx.d.client.request('POST', '/images/create', { query: { fromImage: `${host}/stall/img`, tag: '1' }, signal: ac.signal });
  let buffered = '';
  await new Promise<void>((resolve) => {
    res.body.on('data', (c: Buffer) => {
      buffered += c.toString();
      if (buffered.includes('"Downloading"')) resolve();
    });
  });
  ac.abort();
  res.body.destroy();
  const ingest = path.join(ctx.d.dataRoot, 'content', 'ingest');
  // The daemon notices the closed connection asynchronously: wait for it to tidy up (bounded).
  for (let i = 0; i < 200 && readdirSync(ingest).length; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(readdirSync(ingest), []);
  assert.equal(blobCount(), before);
  assert.deepEqual(layers(), layersBefore);
  assert.equal((await ctx.d.docker(['image', 'inspect', `${host}/stall/img:1`])).code, 1);
  for (const r of stalled) r.destroy();
});
