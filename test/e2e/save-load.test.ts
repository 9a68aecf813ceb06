// docker save / docker load through berthd: round trips, Docker 25's archive layout, OCI layouts, import of a saved layer, hostile archives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { extract, pack } from 'tar-stream';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { run, useDaemon } from './harness';

const ctx = useDaemon();

async function entries(tar: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = extract();
  Readable.from([tar]).pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name, Buffer.concat(chunks));
  }
  return out;
}

async function tarOf(files: Array<{ name: string; body: Buffer | string }>): Promise<Buffer> {
  const p = pack();
  for (const f of files) p.entry({ name: f.name }, f.body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function tmpDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync('/tmp/berth-save-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('docker save writes manifest.json, repositories and an OCI layout; load brings the image back and it runs', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'box.tar');
  assert.equal((await ctx.d.docker(['tag', 'busybox', 'saved/box:1'])).code, 0);
  const save = await ctx.d.docker(['save', '-o', file, 'saved/box:1']);
  assert.equal(save.code, 0, save.stderr);
  const files = await entries(readFileSync(file));
  const manifest = JSON.parse(files.get('manifest.json')!.toString());
  assert.deepEqual(manifest[0].RepoTags, ['saved/box:1']);
  assert.equal(manifest[0].Config, `blobs/sha256/${ctx.busyboxId.slice(7)}`);
  assert.equal(manifest[0].Layers.length, 1);
  assert.ok(files.has(manifest[0].Layers[0]));
  assert.deepEqual(Object.keys(JSON.parse(files.get('repositories')!.toString())), ['saved/box']);
  const index = JSON.parse(files.get('index.json')!.toString());
  assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'docker.io/saved/box:1');
  assert.equal(JSON.parse(files.get('oci-layout')!.toString()).imageLayoutVersion, '1.0.0');

  assert.equal((await ctx.d.docker(['rmi', 'saved/box:1'])).code, 0);
  const load = await ctx.d.docker(['load', '-i', file]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: saved\/box:1/);
  assert.equal((await ctx.d.docker(['image', 'inspect', '--format', '{{.Id}}', 'saved/box:1'])).stdout.trim(), ctx.busyboxId);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', 'saved/box:1', 'echo', 'loaded']);
  assert.equal(out.stdout.trim(), 'loaded', out.stderr);
  const quiet = await ctx.d.berth(['load', '-q', '-i', file]);
  assert.equal(quiet.stdout.trim(), 'Loaded image: saved/box:1', quiet.stderr);
  const gz = await ctx.d.docker(['load'], { input: gzipSync(readFileSync(file)) });
  assert.equal(gz.code, 0, gz.stderr);
  assert.match(gz.stdout, /Loaded image: saved\/box:1/);
  await ctx.d.docker(['rmi', 'saved/box:1']);
});

test('an image saved by ID loads back untagged; saving an unknown image fails', async (t) => {
  const dir = tmpDir(t);
  const byId = await ctx.d.berth(['save', '-o', path.join(dir, 'id.tar'), ctx.busyboxId.slice(7, 19)]);
  assert.equal(byId.code, 0, byId.stderr);
  const load = await ctx.d.docker(['load', '-i', path.join(dir, 'id.tar')]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, new RegExp(`Loaded image ID: ${ctx.busyboxId}`));
  const missing = await ctx.d.docker(['save', '-o', path.join(dir, 'x.tar'), 'no/such:image']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image: no\/such:image/);
});

test('an OCI image layout made by skopeo loads', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'box.tar');
  assert.equal((await ctx.d.docker(['save', '-o', file, 'busybox'])).code, 0);
  const oci = path.join(dir, 'oci.tar');
  const copy = await run('skopeo', ['copy', '--dest-compress', `docker-archive:${file}`, `oci-archive:${oci}:oci/box:7`]);
  assert.equal(copy.code, 0, copy.stderr);
  const files = await entries(readFileSync(oci));
  assert.ok(!files.has('manifest.json') && files.has('index.json'));
  const load = await ctx.d.docker(['load', '-i', oci]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: oci\/box:7/);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', 'oci/box:7', 'echo', 'oci']);
  assert.equal(out.stdout.trim(), 'oci', out.stderr);
  await ctx.d.docker(['rmi', 'oci/box:7']);
});

test('a saved image layer imports as a runnable image (export | import round trip of the filesystem)', async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, 'box.tar');
  assert.equal((await ctx.d.docker(['save', '-o', file, 'busybox'])).code, 0);
  const files = await entries(readFileSync(file));
  const layer = files.get(JSON.parse(files.get('manifest.json')!.toString())[0].Layers[0])!;
  const imp = await ctx.d.docker(['import', '-c', 'CMD ["sh"]', '-', 'reimported:1'], { input: layer });
  assert.equal(imp.code, 0, imp.stderr);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', 'reimported:1', 'echo', 'imported']);
  assert.equal(out.stdout.trim(), 'imported', out.stderr);
  await ctx.d.docker(['rmi', 'reimported:1']);
});

test('hostile archives are refused with a 400 and leave no image or blob behind', async () => {
  const before = readdirSync(path.join(ctx.d.dataRoot, 'content', 'blobs', 'sha256')).length;
  const evil = await tarOf([{ name: '../../escape', body: 'x' }, { name: 'manifest.json', body: '[]' }]);
  const r1 = await ctx.d.docker(['load'], { input: evil });
  assert.notEqual(r1.code, 0);
  assert.match(r1.stderr, /points outside the archive/);
  const notAnImage = await tarOf([{ name: 'hello.txt', body: 'hi' }]);
  const r2 = await ctx.d.docker(['load'], { input: notAnImage });
  assert.notEqual(r2.code, 0);
  assert.match(r2.stderr, /neither manifest\.json nor index\.json/);
  const lying = await tarOf([{ name: `blobs/sha256/${'a'.repeat(64)}`, body: 'not what the name says' }, { name: 'manifest.json', body: '[]' }]);
  const r3 = await ctx.d.docker(['load'], { input: lying });
  assert.notEqual(r3.code, 0);
  assert.match(r3.stderr, /digest mismatch/);
  const api = await ctx.d.client.request('POST', '/images/load', { body: evil, headers: { 'Content-Type': 'application/x-tar' } }).then(() => 0, (e) => e.statusCode);
  assert.equal(api, 400);
  assert.equal(readdirSync(path.join(ctx.d.dataRoot, 'content', 'blobs', 'sha256')).length, before);
  assert.deepEqual(readdirSync(path.join(ctx.d.dataRoot, 'content', 'ingest')), []);
});
