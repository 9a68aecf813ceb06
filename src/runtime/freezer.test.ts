// Tests of the cgroup freezer against a fake cgroup tree (regular files standing in for the kernel's).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupFreezer } from './freezer';

describe('CgroupFreezer', () => {
  let root: string;
  before(() => { root = mkdtempSync(join(tmpdir(), 'berth-freezer-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A fake cgroup directory holding `files`; `read(name)` gives a file's content (trimmed: r+ writes leave old newlines). */
  function cgroup(rel: string, files: Record<string, string>): (name: string) => string {
    const dir = join(root, rel);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return (name) => readFileSync(join(dir, name), 'utf8').trim();
  }

  it('freezes and thaws through freezer.state on cgroup v1', async () => {
    const read = cgroup('v1/freezer/berth/c1', { 'freezer.state': 'THAWED\n' });
    const f = new CgroupFreezer(false, join(root, 'v1'));
    await f.freeze('/berth/c1');
    assert.equal(read('freezer.state'), 'FROZEN');
    await f.thaw('/berth/c1');
    assert.equal(read('freezer.state'), 'THAWED');
  });

  it('freezes through cgroup.freeze on cgroup v2 once cgroup.events says frozen', async () => {
    const read = cgroup('v2/berth/c2', { 'cgroup.freeze': '0\n', 'cgroup.events': 'populated 1\nfrozen 1\n' });
    const f = new CgroupFreezer(true, join(root, 'v2'));
    await f.freeze('/berth/c2');
    assert.equal(read('cgroup.freeze'), '1');
    await f.thaw('/berth/c2');
    assert.equal(read('cgroup.freeze'), '0');
  });

  it('gives up on a cgroup that never freezes, thawing it again', async () => {
    const read = cgroup('v2/berth/stuck', { 'cgroup.freeze': '0\n', 'cgroup.events': 'populated 1\nfrozen 0\n' });
    await assert.rejects(new CgroupFreezer(true, join(root, 'v2')).freeze('/berth/stuck'), /did not freeze/);
    assert.equal(read('cgroup.freeze'), '0');
  });

  it('rejects with ENOENT for a missing cgroup or freezer file and creates nothing', async () => {
    const read = cgroup('v1/freezer/berth/nofile', {});
    const f = new CgroupFreezer(false, join(root, 'v1'));
    await assert.rejects(f.freeze('/berth/gone'), { code: 'ENOENT' });
    await assert.rejects(f.freeze('/berth/nofile'), { code: 'ENOENT' });
    assert.throws(() => read('freezer.state'), { code: 'ENOENT' });
  });
});
