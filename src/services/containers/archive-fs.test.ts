// Tests of the container filesystem view docker cp uses: resolution inside the root, mounts, Docker's stat.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerFs, dockerBase, goFileMode, goModeIsDir, goModeIsSymlink, mountHolding } from './archive-fs';

describe('ContainerFs', () => {
  let tmp: string;
  let fs: ContainerFs;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'berth-cfs-'));
    mkdirSync(join(tmp, 'root/etc'), { recursive: true });
    mkdirSync(join(tmp, 'root/data'), { recursive: true });
    writeFileSync(join(tmp, 'root/etc/passwd'), 'in the container');
    symlinkSync('/', join(tmp, 'root/etc/up'));
    symlinkSync('../../../../..', join(tmp, 'root/etc/dots'));
    symlinkSync('/data/v.txt', join(tmp, 'root/etc/tovol'));
    mkdirSync(join(tmp, 'vol'));
    writeFileSync(join(tmp, 'vol/v.txt'), 'volume');
    writeFileSync(join(tmp, 'outside'), 'host');
    fs = new ContainerFs(join(tmp, 'root'), [{ destination: ['data'], source: join(tmp, 'vol') }]);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('resolves absolute and .. links inside the root, never above it', async () => {
    assert.deepEqual(await fs.resolve(['etc', 'up', 'etc', 'passwd'], true), ['etc', 'passwd']);
    assert.deepEqual(await fs.resolve(['etc', 'dots', 'outside'], true), ['outside']);
    assert.equal(fs.hostPath(['outside']), join(tmp, 'root/outside'));
  });

  it('maps paths under a mount to its source and follows links into it', async () => {
    assert.deepEqual(await fs.resolve(['etc', 'tovol'], true), ['data', 'v.txt']);
    assert.equal(fs.hostPath(['data', 'v.txt']), join(tmp, 'vol/v.txt'));
  });

  it('stats a link as a link with its resolved target, and follows it with a trailing slash', async () => {
    const { stat } = await fs.stat('/etc/up');
    assert.ok(goModeIsSymlink(stat.mode));
    assert.equal(stat.linkTarget, '/');
    assert.equal(stat.name, 'up');
    const followed = await fs.stat('/etc/up/');
    assert.ok(goModeIsDir(followed.stat.mode));
    await assert.rejects(fs.stat('/nope'), { code: 'ENOENT' });
    await assert.rejects(fs.stat('/etc/passwd/'), { code: 'ENOTDIR' });
  });
});

describe('Docker path rules', () => {
  it('names a path as Go\'s filepath.Base does', () => {
    assert.equal(dockerBase('/a/b/'), 'b');
    assert.equal(dockerBase('/a/.'), '.');
    assert.equal(dockerBase('/'), '/');
    assert.equal(dockerBase('a/../b'), 'b');
  });

  it('encodes modes with Go\'s os.FileMode bits', () => {
    assert.equal(goFileMode(0o040755), 2 ** 31 + 0o755);
    assert.equal(goFileMode(0o120777), 2 ** 27 + 0o777);
    assert.equal(goFileMode(0o104755), 2 ** 23 + 0o755);
    assert.equal(goFileMode(0o020666), 2 ** 26 + 2 ** 21 + 0o666);
    assert.equal(goFileMode(0o041777), 2 ** 31 + 2 ** 20 + 0o777);
  });

  it('finds the deepest mount holding a path', () => {
    const m = (d: string) => ({ Type: 'bind' as const, Source: '/s' + d, Destination: d, Mode: '', RW: true, Propagation: '' });
    assert.equal(mountHolding([m('/a'), m('/a/b')], ['a', 'b', 'c'])?.Destination, '/a/b');
    assert.equal(mountHolding([m('/a')], ['ab']), undefined);
  });
});
