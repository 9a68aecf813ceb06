// bzip2 and xz archives wherever Docker takes a tar it detects the compression of: ADD, docker cp from stdin, load, import, a build context.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tarBuffer } from '../../src/archive/tar-fixture';
import { contextFolder } from './build-helpers';
import { useDaemon } from './harness';

const ctx = useDaemon();
let tmp = '';
before(() => { tmp = mkdtempSync('/tmp/berth-compressed-'); });
after(() => rmSync(tmp, { recursive: true, force: true }));

/** `data` compressed by Debian's `tool` (bzip2, xz, zstd) with its default settings. */
const compress = (tool: string, data: Buffer) => execFileSync(tool, ['-q', '-c'], { input: data, maxBuffer: 1 << 30 });

async function ok(args: string[], input?: Buffer): Promise<string> {
  const r = await ctx.d.docker(args, input ? { input } : {});
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('ADD unpacks a local .tar.bz2, .tar.xz and .tar.zst; a compressed file that holds no tar is copied as it is', async () => {
  const dir = contextFolder(ctx.d, 'add', {
    Dockerfile: `FROM busybox
ADD archive.tar.bz2 /bz/
ADD archive.tar.xz /xz/
ADD archive.tar.zst /zst/
ADD notes.txt.xz /kept/
RUN cat /bz/in-tar/f /xz/in-tar/f /zst/in-tar/f && ls /kept
`,
  });
  for (const [tool, ext] of [['bzip2', 'bz2'], ['xz', 'xz'], ['zstd', 'zst']]) {
    const tar = await tarBuffer([{ name: 'in-tar/', type: 'directory' }, { name: 'in-tar/f', data: `from ${ext}\n` }]);
    writeFileSync(path.join(dir, `archive.tar.${ext}`), compress(tool!, tar));
  }
  writeFileSync(path.join(dir, 'notes.txt.xz'), compress('xz', Buffer.from('not a tar\n')));
  const r = await ctx.d.docker(['build', '--network', 'none', '-t', 'compressed-add', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /from bz2\nfrom xz\nfrom zst\nnotes\.txt\.xz\n/);
  const kept = await ok(['run', '--rm', '--network', 'none', 'compressed-add', 'sha256sum', '/kept/notes.txt.xz']);
  assert.equal(kept.split(' ')[0], createHash('sha256').update(readFileSync(path.join(dir, 'notes.txt.xz'))).digest('hex'));
  await ok(['rmi', 'compressed-add']);
});

test('a corrupt .tar.xz in ADD fails the build, saying what was wrong', async () => {
  // Random contents keep the xz stream long, so the cut falls well after the first tar header.
  const tar = await tarBuffer([{ name: 'big', data: randomBytes(256 * 1024) }]);
  const xz = compress('xz', tar);
  const dir = contextFolder(ctx.d, 'corrupt', { Dockerfile: 'FROM busybox\nADD broken.tar.xz /x/\nRUN echo never-reached\n' });
  writeFileSync(path.join(dir, 'broken.tar.xz'), xz.subarray(0, xz.length >> 1));
  const r = await ctx.d.docker(['build', '--network', 'none', dir]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /xz decompression failed: Unexpected end of input/);
  assert.doesNotMatch(r.stdout, /never-reached/);
});

test('docker cp - takes a bzip2 or xz tar on stdin; a corrupt one is refused with a 400', async () => {
  const id = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '600'])).trim();
  try {
    for (const tool of ['bzip2', 'xz']) {
      const tar = await tarBuffer([{ name: `${tool}-dir/`, type: 'directory' }, { name: `${tool}-dir/f`, data: `via ${tool}\n` }]);
      await ok(['cp', '-', `${id}:/tmp`], compress(tool, tar));
      assert.equal(await ok(['exec', id, 'cat', `/tmp/${tool}-dir/f`]), `via ${tool}\n`);
    }
    const xz = compress('xz', await tarBuffer([{ name: 'big', data: randomBytes(256 * 1024) }]));
    const bad = await ctx.d.docker(['cp', '-', `${id}:/tmp`], { input: xz.subarray(0, xz.length >> 1) });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Error response from daemon: xz decompression failed: Unexpected end of input/);
    const put = (body: Buffer) => ctx.d.client.request('PUT', `/containers/${id}/archive`, { query: { path: '/tmp' }, body });
    const bz = compress('bzip2', Buffer.from('no tar at all\n'.repeat(100)));
    await assert.rejects(put(bz), { statusCode: 400, message: /^invalid tar archive/ });
    const flipped = Buffer.from(bz);
    for (let i = 20; i < flipped.length - 10; i++) flipped[i] ^= 0x5a;
    await assert.rejects(put(flipped), { statusCode: 400, message: /^bzip2 decompression failed: / });
  } finally {
    await ctx.d.docker(['rm', '-f', id]);
  }
});

test('docker load takes an xz-compressed save and a bzip2 one on stdin; docker import takes an xz rootfs', async () => {
  const saved = path.join(tmp, 'box.tar');
  await ok(['tag', 'busybox', 'xzsaved/box:1']);
  await ok(['save', '-o', saved, 'xzsaved/box:1']);
  await ok(['rmi', 'xzsaved/box:1']);
  writeFileSync(`${saved}.xz`, compress('xz', readFileSync(saved)));
  assert.match(await ok(['load', '-i', `${saved}.xz`]), /Loaded image: xzsaved\/box:1/);
  assert.equal((await ok(['image', 'inspect', '--format', '{{.Id}}', 'xzsaved/box:1'])).trim(), ctx.busyboxId);
  assert.equal((await ok(['run', '--rm', '--network', 'none', 'xzsaved/box:1', 'echo', 'loaded'])).trim(), 'loaded');
  await ok(['rmi', 'xzsaved/box:1']);
  assert.match(await ok(['load'], compress('bzip2', readFileSync(saved))), /Loaded image: xzsaved\/box:1/);
  await ok(['rmi', 'xzsaved/box:1']);
  const xz = readFileSync(`${saved}.xz`);
  const cut = await ctx.d.docker(['load'], { input: xz.subarray(0, xz.length >> 1) });
  assert.equal(cut.code, 1, cut.stdout);
  assert.match(cut.stderr, /xz decompression failed: Unexpected end of input/);

  const rootfs = await tarBuffer([{ name: 'hello', data: 'imported from xz\n', mode: 0o644 }]);
  const badImport = await ctx.d.docker(['import', '-', 'xzimported:1'], { input: compress('bzip2', rootfs).subarray(0, 40) });
  assert.equal(badImport.code, 1, badImport.stdout);
  assert.match(badImport.stderr, /bzip2 decompression failed: /);
  const id = (await ok(['import', '-', 'xzimported:1'], compress('xz', rootfs))).trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const ctr = (await ok(['create', '--network', 'none', 'xzimported:1', 'x'])).trim();
  assert.equal(await ok(['cp', `${ctr}:/hello`, '-']).then((t) => t.includes('imported from xz')), true);
  await ok(['rm', ctr]);
  await ok(['rmi', 'xzimported:1']);
});

test('a build context piped as .tar.xz or .tar.bz2 (docker build - and berth build -)', async () => {
  const context = (via: string) => tarBuffer([
    { name: 'Dockerfile', data: 'FROM busybox\nCOPY msg /msg\nRUN cat /msg\n' },
    { name: 'msg', data: `context was compressed for ${via}\n` },
  ]);
  const viaDocker = await ctx.d.docker(['build', '--network', 'none', '-'], { input: compress('xz', await context('docker')) });
  assert.equal(viaDocker.code, 0, viaDocker.stderr + viaDocker.stdout);
  assert.match(viaDocker.stdout, /context was compressed for docker/);
  const viaBerth = await ctx.d.berth(['build', '--network', 'none', '-'], { input: compress('bzip2', await context('berth')) });
  assert.equal(viaBerth.code, 0, viaBerth.stderr + viaBerth.stdout);
  assert.match(viaBerth.stdout, /context was compressed for berth/);
  const xz = compress('xz', await context('cut'));
  const truncated = xz.subarray(0, xz.length - 30);
  // The daemon's answer, read whole from the API: the build fails with xz's reason.
  const res = await ctx.d.client.request('POST', '/build', { query: { networkmode: 'none' }, body: truncated, headers: { 'Content-Type': 'application/x-tar' } });
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  const lines = Buffer.concat(chunks).toString().split(/\r?\n/).filter(Boolean).map((l) => JSON.parse(l) as { error?: string });
  assert.match(lines.find((l) => l.error)?.error ?? '', /xz decompression failed: Unexpected end of input/);
  // The docker CLI reads a compressed context itself too, so its own "unexpected EOF" may win the race with the daemon's message.
  const cut = await ctx.d.docker(['build', '--network', 'none', '-'], { input: truncated });
  assert.equal(cut.code, 1, cut.stdout);
  assert.match(cut.stderr, /xz decompression failed: Unexpected end of input|unexpected EOF/);
  assert.equal((await ctx.d.docker(['version', '--format', '{{.Server.Os}}'])).stdout.trim(), 'linux', 'berthd still answers');
});
