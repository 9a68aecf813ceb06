// Tests of chroot-style path resolution inside a root.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidParameterError } from '../errors';
import { cleanComponents, resolveInRoot } from './securejoin';

describe('securejoin', () => {
  let root: string;
  before(() => {
    root = join(mkdtempSync(join(tmpdir(), 'berth-securejoin-')), 'root');
    mkdirSync(join(root, 'usr/lib'), { recursive: true });
    symlinkSync('/usr/lib', join(root, 'lib'));
    symlinkSync('../../../../..', join(root, 'usr/up'));
    symlinkSync('lib', join(root, 'lib2'));
    writeFileSync(join(root, 'file'), '');
  });
  after(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('cleans names as rooted paths', () => {
    assert.deepEqual(cleanComponents('../../a/./b//c/..'), ['a', 'b']);
    assert.deepEqual(cleanComponents('/etc/passwd'), ['etc', 'passwd']);
    assert.deepEqual(cleanComponents('./'), []);
  });

  it('follows absolute and relative symlinks as if the root were /', async () => {
    assert.equal(await resolveInRoot(root, ['lib', 'x']), join(root, 'usr/lib/x'));
    assert.equal(await resolveInRoot(root, ['lib2', 'x']), join(root, 'usr/lib/x'));
    assert.equal(await resolveInRoot(root, ['usr', 'up', 'etc']), join(root, 'etc'));
    assert.equal(await resolveInRoot(root, ['..', '..', 'etc']), join(root, 'etc'));
  });

  it('creates missing directories only when asked', async () => {
    assert.equal(await resolveInRoot(root, ['usr', 'up', 'new', 'dir'], { mkdirs: true }), join(root, 'new/dir'));
    assert.equal(await resolveInRoot(root, ['nope', '..', 'x']), join(root, 'x'));
  });

  it('rejects a file used as a directory', async () => {
    await assert.rejects(resolveInRoot(root, ['file', 'x']), InvalidParameterError);
  });
});
