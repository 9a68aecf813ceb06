// Registries through berthd with the real docker CLI: push, rmi, pull back and run; skip and mount on push; skopeo; auth; multi-platform.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { useDaemon } from './harness';
import { haveRegistry, startRegistry, type TestRegistry } from './registry';

const ctx = useDaemon();
let reg: TestRegistry;

before(async () => {
  if (haveRegistry()) reg = await startRegistry();
});
after(async () => {
  await reg?.stop();
});

const skip = !haveRegistry() && 'docker-registry is not installed (apt-get install docker-registry)';

test('push to a registry, rmi, pull back by tag and by digest, and run', { skip }, async () => {
  const img = `${reg.host}/test/box:v1`;
  assert.equal((await ctx.d.docker(['tag', 'busybox', img])).code, 0);
  const push = await ctx.d.docker(['push', img]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, new RegExp(`The push refers to repository \\[${reg.host}/test/box\\]`));
  assert.match(push.stdout, /: Pushed/);
  const digest = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push.stdout)?.[1];
  assert.ok(digest, push.stdout);

  const again = await ctx.d.docker(['push', img]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Layer already exists/);
  const other = await ctx.d.docker(['tag', 'busybox', `${reg.host}/other/box:v1`]);
  assert.equal(other.code, 0);
  const mounted = await ctx.d.docker(['push', `${reg.host}/other/box:v1`]);
  assert.equal(mounted.code, 0, mounted.stderr);
  assert.match(mounted.stdout, /Mounted from test\/box/);

  const rmi = await ctx.d.docker(['rmi', img, `${reg.host}/other/box:v1`]);
  assert.equal(rmi.code, 0, rmi.stderr);
  const pull = await ctx.d.docker(['pull', img]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /v1: Pulling from test\/box/);
  assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
  assert.match(pull.stdout, new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${reg.host}/test/box:v1`));
  const info = JSON.parse((await ctx.d.docker(['image', 'inspect', img])).stdout)[0];
  assert.ok(info.RepoDigests.includes(`${reg.host}/test/box@${digest}`), JSON.stringify(info.RepoDigests));
  assert.equal(info.Id, ctx.busyboxId);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', img, 'echo', 'pulled']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), 'pulled');

  // A fresh pull of every layer, by digest, into a daemon-side state without the layers.
  const rmiAll = await ctx.d.docker(['rmi', '-f', ctx.busyboxId]);
  assert.equal(rmiAll.code, 0, rmiAll.stderr);
  assert.match(rmiAll.stdout, new RegExp(`Untagged: ${reg.host}/test/box@${digest}`));
  const byDigest = await ctx.d.docker(['pull', `${reg.host}/test/box@${digest}`]);
  assert.equal(byDigest.code, 0, byDigest.stderr);
  assert.match(byDigest.stdout, /Pull complete/);
  const run2 = await ctx.d.docker(['run', '--rm', '--network', 'none', `${reg.host}/test/box@${digest}`, 'echo', 'by-digest']);
  assert.equal(run2.stdout.trim(), 'by-digest', run2.stderr);
  assert.equal((await ctx.d.docker(['tag', `${reg.host}/test/box@${digest}`, 'busybox:latest'])).code, 0);
});

test('the berth CLI pulls and pushes with docker-like lines when not on a terminal', { skip }, async () => {
  const img = `${reg.host}/cli/box:1`;
  assert.equal((await ctx.d.berth(['tag', 'busybox', img])).code, 0);
  const push = await ctx.d.berth(['push', img]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Preparing/);
  assert.match(push.stdout, /1: digest: sha256:[0-9a-f]{64} size: \d+/);
  assert.doesNotMatch(push.stdout, /\[=*>/);
  assert.equal((await ctx.d.berth(['rmi', img])).code, 0);
  const pull = await ctx.d.berth(['pull', img]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /Status: Downloaded newer image for/);
  assert.match(pull.stdout.trim().split('\n').pop()!, new RegExp(`^${reg.host}/cli/box:1$`));
  assert.equal((await ctx.d.berth(['tag', 'busybox', `${reg.host}/cli/box:2`])).code, 0);
  const all = await ctx.d.docker(['push', '--all-tags', `${reg.host}/cli/box`]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^1: digest: sha256:[0-9a-f]{64}/m);
  assert.match(all.stdout, /^2: digest: sha256:[0-9a-f]{64}/m);
});

test('skopeo inspects and copies what berth pushed, and berth pulls the copy', { skip }, async () => {
  const img = `${reg.host}/sk/box:v1`;
  await ctx.d.docker(['tag', 'busybox', img]);
  assert.equal((await ctx.d.docker(['push', img])).code, 0);
  const { run } = await import('./harness');
  const insp = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${img}`]);
  assert.equal(insp.code, 0, insp.stderr);
  const doc = JSON.parse(insp.stdout);
  assert.equal(doc.Architecture, 'amd64');
  assert.equal(doc.Layers.length, 1);
  const copy = await run('skopeo', ['copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--dest-compress-format', 'zstd', '--dest-compress',
    `docker://${img}`, `docker://${reg.host}/sk/copy:zstd`]);
  assert.equal(copy.code, 0, copy.stderr);
  // `run` pulls what it does not have, here through zstd-compressed layers.
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', `${reg.host}/sk/copy:zstd`, 'echo', 'copied']);
  assert.equal(out.stdout.trim(), 'copied', out.stderr);
  assert.match(out.stderr, new RegExp(`Unable to find image '${reg.host}/sk/copy:zstd' locally`));
  const layers = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/sk/copy:zstd`])).stdout).layers;
  assert.match(layers[0].mediaType, /zstd/);
});

test('GET /distribution/{name}/json describes the manifest', { skip }, async () => {
  const img = `${reg.host}/test/box:v1`;
  const r = await ctx.d.client.json<{ Descriptor: { digest: string; mediaType: string }; Platforms: Array<{ os: string }> }>('GET', `/distribution/${img}/json`);
  assert.match(r.Descriptor.digest, /^sha256:/);
  assert.equal(r.Platforms[0].os, 'linux');
});

test('bad references and unknown manifests are answered as docker does', { skip }, async () => {
  const bad = await ctx.d.docker(['pull', `${reg.host}/Upper/case:1`]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid reference format/);
  const unknown = await ctx.d.docker(['pull', `${reg.host}/test/box:nope`]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, new RegExp(`manifest for ${reg.host}/test/box:nope not found: manifest unknown`));
  const api = await ctx.d.client.request('POST', '/images/create', { query: { fromImage: `${reg.host}/no/such`, tag: 'x' } }).then(() => 0, (e) => e.statusCode);
  assert.equal(api, 404);
  const noTag = await ctx.d.docker(['push', `${reg.host}/not/here:1`]);
  assert.notEqual(noTag.code, 0);
  assert.match(noTag.stderr, /does not exist/);
});

function sha(b: Buffer): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

test('a multi-platform index is pulled for the host platform, or the one asked for', { skip }, async () => {
  const { pack } = await import('tar-stream');
  const { gzipSync } = await import('node:zlib');
  const base = `http://${reg.host}/v2/multi`;
  const upload = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const digest = sha(bytes);
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(start.headers.get('location')!, `http://${reg.host}`);
    loc.searchParams.set('digest', digest);
    const put = await fetch(loc, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(put.status, 201);
    return { digest, size: bytes.length };
  };
  const manifests = [];
  for (const arch of ['amd64', 'arm64']) {
    const p = pack();
    p.entry({ name: 'arch.txt' }, `${arch}\n`);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    const tar = Buffer.concat(chunks);
    const layer = await upload(gzipSync(tar));
    const config = await upload(Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', ...(arch === 'arm64' ? { variant: 'v8' } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [sha(tar)] } })));
    const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }] }));
    const put = await fetch(`${base}/manifests/${sha(m)}`, { method: 'PUT', body: m, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(put.status, 201);
    manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(m), size: m.length, platform: { architecture: arch, os: 'linux', ...(arch === 'arm64' ? { variant: 'v8' } : {}) } });
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  assert.equal((await fetch(`${base}/manifests/1`, { method: 'PUT', body: index, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } })).status, 201);

  const host = await ctx.d.docker(['pull', `${reg.host}/multi:1`]);
  assert.equal(host.code, 0, host.stderr);
  assert.equal((await ctx.d.docker(['image', 'inspect', '--format', '{{.Architecture}}', `${reg.host}/multi:1`])).stdout.trim(), 'amd64');
  const arm = await ctx.d.docker(['pull', '--platform', 'linux/arm64', `${reg.host}/multi:1`]);
  assert.equal(arm.code, 0, arm.stderr);
  assert.equal((await ctx.d.docker(['image', 'inspect', '--format', '{{.Architecture}}/{{.Variant}}', `${reg.host}/multi:1`])).stdout.trim(), 'arm64/v8');
  const none = await ctx.d.docker(['pull', '--platform', 'linux/s390x', `${reg.host}/multi:1`]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no matching manifest for linux\/s390x/);
});
