// Tests of archive detection: tar headers by checksum, compressed tars for ADD, the CLI's look at stdin.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { isArchiveFile, isTarHeader, looksLikeArchive } from './is-archive';
import { tarBuffer } from './tar-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'berth-is-archive-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, data: Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
}

describe('archive detection', async () => {
  const tar = await tarBuffer([{ name: 'hello.txt', data: 'hello\n' }]);

  it('isTarHeader checks the checksum, not a magic', () => {
    assert.ok(isTarHeader(tar.subarray(0, 512)));
    const v7 = Buffer.from(tar.subarray(0, 512));
    v7.fill(0, 257, 265);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : v7[i]!;
    v7.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    assert.ok(isTarHeader(v7), 'a v7 header without ustar magic');
    const bad = Buffer.from(tar.subarray(0, 512));
    bad[0] ^= 1;
    assert.equal(isTarHeader(bad), false);
    assert.equal(isTarHeader(Buffer.alloc(512)), false);
    assert.equal(isTarHeader(tar.subarray(0, 511)), false);
  });

  it('isArchiveFile: a tar plain or compressed any way is one; a compressed non-tar or a broken stream is not', async () => {
    assert.ok(await isArchiveFile(file('a.tar', tar)));
    assert.ok(await isArchiveFile(file('a.tar.gz', gzipSync(tar))));
    for (const [tool, ext] of [['bzip2', 'bz2'], ['xz', 'xz'], ['zstd', 'zst']]) {
      const z = execFileSync(tool, ['-q', '-c'], { input: tar });
      assert.ok(await isArchiveFile(file(`a.tar.${ext}`, z)), ext);
      assert.equal(await isArchiveFile(file(`text.${ext}`, execFileSync(tool, ['-q', '-c'], { input: Buffer.from('just text\n'.repeat(100)) }))), false, ext);
      assert.equal(await isArchiveFile(file(`cut.tar.${ext}`, z.subarray(0, 12))), false, `${ext} cut before its first block`);
    }
    // A big compressed file is probed by its head only.
    assert.equal(await isArchiveFile(file('zeros.xz', execFileSync('xz', ['-c'], { input: Buffer.alloc(20 * 1024 * 1024) }))), false);
    assert.equal(await isArchiveFile(file('plain.txt', Buffer.from('plain'))), false);
  });

  it('looksLikeArchive: what the CLI sends as a context tar rather than a Dockerfile', () => {
    assert.ok(looksLikeArchive(tar.subarray(0, 1024)));
    assert.ok(looksLikeArchive(execFileSync('xz', ['-c'], { input: tar }).subarray(0, 1024)));
    assert.ok(looksLikeArchive(execFileSync('bzip2', ['-c'], { input: tar }).subarray(0, 1024)));
    assert.equal(looksLikeArchive(Buffer.from('FROM busybox\nRUN true\n')), false);
  });
});
