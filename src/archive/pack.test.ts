// Tests of packing directories into tars: round trips through extraction and overlay whiteout translation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extractTar } from './extract';
import { packDir } from './pack';
import { listTar } from './tar-fixture';

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('packDir', () => {
  let tmp: string;
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'berth-pack-')); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('round-trips a tree through extractTar with modes, owners, links and times', async () => {
    const src = join(tmp, 'src');
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(join(src, 'bin/su'), 'x'.repeat(100_000));
    chownSync(join(src, 'bin/su'), 1000, 1001);
    execFileSync('chmod', ['4755', join(src, 'bin/su')]);
    linkSync(join(src, 'bin/su'), join(src, 'bin/su-hard'));
    symlinkSync('su', join(src, 'bin/sh'));
    execFileSync('mkfifo', [join(src, 'fifo')]);
    const long = 'd'.repeat(120);
    mkdirSync(join(src, long));
    writeFileSync(join(src, long, 'f'.repeat(120)), 'long');
    utimesSync(join(src, 'bin'), new Date('2021-01-01'), new Date('2021-01-01'));

    const buf = await collect(packDir(src));
    const entries = await listTar(buf);
    assert.deepEqual(entries.map((e) => e.name), [
      'bin/', 'bin/sh', 'bin/su', 'bin/su-hard', `${long}/`, `${long}/${'f'.repeat(120)}`, 'fifo',
    ]);
    assert.equal(entries.find((e) => e.name === 'bin/su-hard')!.type, 'link');

    const dest = join(tmp, 'dest');
    await extractTar((await import('node:stream')).Readable.from([buf], { objectMode: false }), dest);
    const su = statSync(join(dest, 'bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.equal(su.uid, 1000);
    assert.equal(su.nlink, 2);
    assert.equal(readFileSync(join(dest, 'bin/su'), 'utf8').length, 100_000);
    assert.equal(readlinkSync(join(dest, 'bin/sh')), 'su');
    assert.ok(lstatSync(join(dest, 'fifo')).isFIFO());
    assert.equal(readFileSync(join(dest, long, 'f'.repeat(120)), 'utf8'), 'long');
    assert.equal(statSync(join(dest, 'bin')).mtime.getTime(), new Date('2021-01-01').getTime());
  });

  it('is deterministic for equal trees', async () => {
    const a = await collect(packDir(join(tmp, 'src')));
    const b = await collect(packDir(join(tmp, 'src')));
    assert.deepEqual(a, b);
  });

  it('turns overlay whiteouts and opaque dirs into .wh. entries', async () => {
    const upper = join(tmp, 'upper');
    mkdirSync(join(upper, 'etc/opq'), { recursive: true });
    execFileSync('mknod', [join(upper, 'etc/gone'), 'c', '0', '0']);
    linkSync(join(upper, 'etc/gone'), join(upper, 'gone-too'));
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'etc/opq')]);
    writeFileSync(join(upper, 'etc/opq/new'), 'n');
    const entries = await listTar(await collect(packDir(upper, { whiteouts: 'overlay' })));
    assert.deepEqual(entries.map((e) => `${e.type} ${e.name}`), [
      'directory etc/',
      'file etc/.wh.gone',
      'directory etc/opq/',
      'file etc/opq/.wh..wh..opq',
      'file etc/opq/new',
      'file .wh.gone-too',
    ]);
  });

  it('names entries under a prefix and packs a single file', async () => {
    const entries = await listTar(await collect(packDir(join(tmp, 'src', 'bin'), { prefix: 'bin', hardlinks: false })));
    assert.deepEqual(entries.map((e) => e.name), ['bin/', 'bin/sh', 'bin/su', 'bin/su-hard']);
    assert.equal(entries[3]!.type, 'file');
    const one = await listTar(await collect(packDir(join(tmp, 'src', 'bin', 'su'))));
    assert.deepEqual(one.map((e) => `${e.name} ${e.size}`), ['su 100000']);
  });

  it('stops walking when the consumer destroys the stream early', async () => {
    const big = join(tmp, 'big');
    mkdirSync(big);
    for (let i = 0; i < 50; i++) writeFileSync(join(big, `f${i}`), Buffer.alloc(200_000, i));
    const r = packDir(big);
    for await (const _ of r) break;
    assert.equal(r.destroyed, true);
    await new Promise((res) => setTimeout(res, 50));
  });

  it('errors the stream when the directory does not exist', async () => {
    await assert.rejects(collect(packDir(join(tmp, 'nope'))), /ENOENT/);
  });
});
