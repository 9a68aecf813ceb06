import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeldFiles } from './held-files';
import { clearTarget } from './place-file';

const BIG = 2 << 20;

/** This process's fds that name a deleted file under `dir`. */
function heldUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return '';
    }
  }).filter((l) => l.startsWith(`${dir}/`) && l.endsWith(' (deleted)'));
}

describe('held files', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'berth-held-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function big(name: string): string {
    const p = path.join(dir, name);
    writeFileSync(p, '');
    truncateSync(p, BIG);
    return p;
  }

  it('holds a replaced big file open until released: the unlink only drops its link', async () => {
    const p = big('a');
    const held = new HeldFiles();
    try {
      assert.equal(await clearTarget(p, false, false, '/a', 'a', held), false);
      assert.throws(() => lstatSync(p), /ENOENT/);
      assert.deepEqual(heldUnder(dir), [`${p} (deleted)`]);
    } finally {
      await held.release();
    }
    assert.deepEqual(heldUnder(dir), []);
  });

  it('holds nothing but the last link of a big regular file', async () => {
    const small = path.join(dir, 'small');
    writeFileSync(small, 'x');
    const linked = big('linked');
    linkSync(linked, path.join(dir, 'linked2'));
    const link = path.join(dir, 'link');
    symlinkSync(big('pointed'), link);
    const sub = path.join(dir, 'sub');
    mkdirSync(sub);
    const held = new HeldFiles();
    try {
      for (const p of [small, linked, link, sub]) await clearTarget(p, false, false, '/x', 'x', held);
      // Another file than the one lstat saw (swapped in meanwhile) is not kept either.
      await held.hold(big('swapped'), lstatSync(big('seen')));
      assert.deepEqual(heldUnder(dir), []);
      assert.equal(readFileSync(path.join(dir, 'linked2')).length, BIG);
      assert.equal(lstatSync(path.join(dir, 'pointed')).size, BIG);
    } finally {
      await held.release();
    }
  });

  it('holds at most 16 files; the rest are freed in place', async () => {
    const held = new HeldFiles();
    try {
      for (let i = 0; i < 20; i++) await clearTarget(big(`many${i}`), false, false, '/x', 'x', held);
      assert.equal(heldUnder(dir).length, 16);
    } finally {
      await held.release();
    }
    assert.deepEqual(heldUnder(dir), []);
  });

  it('releases once the response closes, or at once when it already has', async () => {
    const res = Object.assign(new EventEmitter(), { closed: false });
    const held = new HeldFiles();
    await clearTarget(big('r'), false, false, '/r', 'r', held);
    const released = held.releaseAfter(res as unknown as ServerResponse);
    assert.equal(heldUnder(dir).length, 1);
    res.emit('close');
    await released;
    assert.deepEqual(heldUnder(dir), []);

    const done = new HeldFiles();
    await clearTarget(big('s'), false, false, '/s', 's', done);
    await done.releaseAfter(Object.assign(new EventEmitter(), { closed: true }) as unknown as ServerResponse);
    assert.deepEqual(heldUnder(dir), []);
  });
});
