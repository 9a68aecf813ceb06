import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConflictError, InvalidParameterError } from '../errors';
import { identityOf, openRegular, openVerified, parseFastSource, placeCopy, type FastSource } from './fd-handoff';

describe('fd handoff', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'berth-fd-handoff-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `file` held open by this process, offered as another process would offer it. */
  function offer(file: string, tweak: Partial<FastSource> = {}): { source: FastSource; close(): void } {
    const fd = openSync(file, 'r+');
    return { source: { path: `/proc/${process.pid}/fd/${fd}`, ...identityOf(lstatSync(file, { bigint: true })), ...tweak }, close: () => closeSync(fd) };
  }

  it('parses a well-formed source and refuses any other path or number', () => {
    const good = { path: '/proc/12/fd/3', dev: '1', ino: '2', size: '3', mtimeNs: '4' };
    assert.deepEqual(parseFastSource(good), good);
    for (const bad of [
      { ...good, path: '/etc/shadow' }, { ...good, path: '/proc/12/fd/../../1/root/x' }, { ...good, path: '/proc/0/fd/3' },
      { ...good, ino: 2 }, { ...good, size: '-1' }, { ...good, mtimeNs: '1e9' }, null,
    ]) assert.throws(() => parseFastSource(bad), InvalidParameterError, JSON.stringify(bad));
  });

  it('opens the file described, and nothing else: another size or inode, a FIFO (without blocking)', async () => {
    const f = path.join(dir, 'f');
    writeFileSync(f, 'data');
    const o = offer(f);
    try {
      const opened = await openVerified(o.source);
      assert.ok(opened);
      assert.equal(readFileSync(`/proc/self/fd/${opened.fh.fd}`, 'utf8'), 'data');
      await opened.fh.close();
      assert.equal(await openVerified({ ...o.source, size: '5' }), undefined);
      assert.equal(await openVerified({ ...o.source, ino: '1' }), undefined);
      assert.equal(await openVerified({ ...o.source, path: `/proc/${process.pid}/fd/999999` }), undefined);
    } finally {
      o.close();
    }
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const p = offer(fifo);
    try {
      assert.equal(await openVerified(p.source), undefined);
    } finally {
      p.close();
    }
  });

  it('openRegular refuses a link (never followed) and answers undefined for a directory', async () => {
    symlinkSync(path.join(dir, 'f'), path.join(dir, 'link'));
    await assert.rejects(openRegular(path.join(dir, 'link')), /ELOOP/);
    assert.equal(await openRegular(dir), undefined);
  });

  it('placeCopy gives what extracting the file\'s tar gives: content, mode with setuid, mtime in whole seconds; a directory in the way is a Conflict', async () => {
    const src = path.join(dir, 'src');
    writeFileSync(src, Buffer.alloc(1 << 20, 3));
    chmodSync(src, 0o4750);
    utimesSync(src, 1_600_000_000.5, 1_600_000_000.75);
    const out = path.join(dir, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'copy'), 'old, longer content to be replaced');
    const file = await openRegular(src);
    assert.ok(file);
    try {
      await placeCopy(file, out, 'copy', { noOverwriteDirNonDir: true });
      const st = lstatSync(path.join(out, 'copy'));
      assert.equal(st.mode & 0o7777, 0o4750);
      assert.equal(st.mtimeMs, 1_600_000_000_000);
      assert.deepEqual(readFileSync(path.join(out, 'copy')), readFileSync(src));
      mkdirSync(path.join(out, 'adir'));
      await assert.rejects(placeCopy(file, out, 'adir', { noOverwriteDirNonDir: true }), ConflictError);
    } finally {
      await file.fh.close();
    }
  });
});
