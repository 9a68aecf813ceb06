// Tests of safe tar extraction: round trips, gzip, whiteouts, and hostile archives that try to escape.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { extractTar } from './extract';
import { tarBuffer, tarStream, type FixtureEntry } from './tar-fixture';

/** Everything under `dir` (names, types, modes, sizes, link targets, contents' hashes), for before/after comparison. */
function snapshot(dir: string): string {
  const lines: string[] = [];
  const walk = (p: string, rel: string) => {
    const st = lstatSync(p);
    let extra = '';
    if (st.isSymbolicLink()) extra = readlinkSync(p);
    else if (st.isFile()) extra = createHash('sha256').update(readFileSync(p)).digest('hex');
    lines.push(`${rel} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.nlink} ${st.size} ${st.mtimeMs} ${extra}`);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), `${rel}/${n}`);
  };
  walk(dir, '.');
  return lines.join('\n');
}

function hashFile(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

describe('extractTar', () => {
  let tmp: string;
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'berth-extract-')); });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  let n = 0;
  /** A fresh `<case>/dest` with a populated `<case>/sentinel` beside it. */
  function setup(): { root: string; dest: string; sentinel: string } {
    const root = join(tmp, `case${n++}`);
    const dest = join(root, 'dest');
    const sentinel = join(root, 'sentinel');
    mkdirSync(dest, { recursive: true });
    mkdirSync(join(sentinel, 'etc'), { recursive: true });
    writeFileSync(join(sentinel, 'etc', 'passwd'), 'sentinel passwd\n');
    writeFileSync(join(sentinel, 'target'), 'do not touch\n', { mode: 0o600 });
    writeFileSync(join(root, 'x'), 'outside x\n');
    return { root, dest, sentinel };
  }

  it('extracts files, dirs, symlinks, hardlinks and fifos with modes, owners and times', async () => {
    const { dest } = setup();
    const mtime = new Date('2020-01-02T03:04:05Z');
    const r = await extractTar(await tarStream([
      { name: 'bin/', type: 'directory', mode: 0o755, mtime },
      { name: 'bin/su', type: 'file', mode: 0o4755, uid: 1234, gid: 5678, mtime, data: 'setuid' },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', uid: 7, gid: 8, mtime },
      { name: 'bin/su2', type: 'link', linkname: 'bin/su' },
      { name: 'run/fifo', type: 'fifo', mode: 0o640, mtime },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, mtime },
    ]), dest);
    assert.equal(r.entries, 6);
    const su = statSync(join(dest, 'bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.equal(su.uid, 1234);
    assert.equal(su.gid, 5678);
    assert.equal(su.mtime.getTime(), mtime.getTime());
    assert.equal(su.nlink, 2);
    assert.equal(statSync(join(dest, 'bin')).mtime.getTime(), mtime.getTime());
    assert.equal(readFileSync(join(dest, 'bin/su2'), 'utf8'), 'setuid');
    assert.equal(readlinkSync(join(dest, 'bin/sh')), '/bin/busybox');
    assert.equal(lstatSync(join(dest, 'bin/sh')).uid, 7);
    assert.ok(lstatSync(join(dest, 'run/fifo')).isFIFO());
    if (r.skippedDevices === 0) {
      const dev = lstatSync(join(dest, 'dev/null'));
      assert.ok(dev.isCharacterDevice());
      assert.equal(dev.rdev, 0x103);
    }
  });

  it('reads gzip transparently and reports the uncompressed size', async () => {
    const { dest } = setup();
    const raw = await tarBuffer([{ name: 'a/b.txt', data: 'hello' }]);
    const r = await extractTar(Readable.from([gzipSync(raw)], { objectMode: false }), dest);
    assert.equal(readFileSync(join(dest, 'a/b.txt'), 'utf8'), 'hello');
    assert.equal(r.size, raw.length);
  });

  it('streams large files in chunks', async () => {
    const { dest } = setup();
    const big = Buffer.alloc(5 * 1024 * 1024 + 17, 7);
    await extractTar(await tarStream([{ name: 'big', data: big }]), dest);
    assert.equal(statSync(join(dest, 'big')).size, big.length);
  });

  it('replaces existing entries instead of writing through them', async () => {
    const { dest, sentinel } = setup();
    const before = snapshot(sentinel);
    symlinkSync(join(sentinel, 'target'), join(dest, 'f'));
    symlinkSync(sentinel, join(dest, 'd'));
    await extractTar(await tarStream([
      { name: 'f', data: 'new', mode: 0o777 },
      { name: 'd', type: 'directory', mode: 0o777 },
    ]), dest);
    assert.equal(readFileSync(join(dest, 'f'), 'utf8'), 'new');
    assert.ok(lstatSync(join(dest, 'd')).isDirectory());
    assert.equal(snapshot(sentinel), before);
  });

  it('writes overlay whiteouts and opaque markers', async () => {
    const { dest } = setup();
    mkdirSync(join(dest, 'gone'));
    await extractTar(await tarStream([
      { name: 'gone/', type: 'directory' },
      { name: '.wh.gone', data: '' },
      { name: 'opq/', type: 'directory' },
      { name: 'opq/.wh..wh..opq', data: '' },
      { name: '.wh..wh.plnk', data: '' },
    ]), dest, { whiteouts: 'overlay' });
    const wh = lstatSync(join(dest, 'gone'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    const attr = execFileSync('getfattr', ['-h', '--only-values', '-n', 'trusted.overlay.opaque', join(dest, 'opq')]).toString();
    assert.equal(attr, 'y');
    assert.deepEqual(readdirSync(dest).sort(), ['gone', 'opq']);
  });

  it("keeps whiteouts as plain files with whiteouts: 'none' and drops them with 'ignore'", async () => {
    const a = setup().dest;
    await extractTar(await tarStream([{ name: '.wh.x', data: '' }]), a);
    assert.ok(lstatSync(join(a, '.wh.x')).isFile());
    const b = setup().dest;
    await extractTar(await tarStream([{ name: '.wh.x', data: '' }, { name: 'd/.wh..wh..opq', data: '' }]), b, { whiteouts: 'ignore' });
    assert.deepEqual(readdirSync(b), ['d']);
    assert.deepEqual(readdirSync(join(b, 'd')), []);
  });

  describe('hostile archives never touch anything outside dest', () => {
    const passwd = hashFile('/etc/passwd');
    const shadowLinks = statSync('/etc/shadow').nlink;

    /** Extract `entries`; unless `expectError`, extraction must succeed (with the escape neutralised). */
    async function hostile(entries: FixtureEntry[], check?: (dest: string) => void, expectError = false): Promise<unknown> {
      const { root, dest, sentinel } = setup();
      const before = snapshot(sentinel);
      const beforeRoot = readdirSync(root).sort();
      let error: unknown;
      try {
        await extractTar(await tarStream(entries), dest, { whiteouts: 'overlay' });
      } catch (err) {
        error = err;
      }
      assert.equal(snapshot(sentinel), before, 'sentinel changed');
      assert.deepEqual(readdirSync(root).sort(), beforeRoot, 'something appeared beside dest');
      assert.equal(readFileSync(join(root, 'x'), 'utf8'), 'outside x\n');
      assert.equal(statSync(join(root, 'x')).nlink, 1);
      assert.equal(hashFile('/etc/passwd'), passwd);
      assert.equal(statSync('/etc/shadow').nlink, shadowLinks);
      if (!expectError) assert.equal(error, undefined);
      check?.(dest);
      return error;
    }

    it('neutralises ../ components', async () => {
      await hostile([{ name: '../../x', data: 'evil' }, { name: '../sentinel/target', data: 'evil' }], (dest) => {
        assert.equal(readFileSync(join(dest, 'x'), 'utf8'), 'evil');
        assert.equal(readFileSync(join(dest, 'sentinel/target'), 'utf8'), 'evil');
      });
    });

    it('treats absolute names as relative to dest', async () => {
      await hostile([{ name: '/etc/passwd', data: 'evil' }], (dest) => {
        assert.equal(readFileSync(join(dest, 'etc/passwd'), 'utf8'), 'evil');
      });
    });

    it('resolves an absolute symlink (a -> /) inside dest', async () => {
      await hostile([
        { name: 'a', type: 'symlink', linkname: '/' },
        { name: 'a/etc/passwd', data: 'evil' },
      ], (dest) => {
        assert.equal(readlinkSync(join(dest, 'a')), '/');
        assert.equal(readFileSync(join(dest, 'etc/passwd'), 'utf8'), 'evil');
      });
    });

    it('resolves a relative symlink climbing out (a -> ../../..) inside dest', async () => {
      await hostile([
        { name: 'a', type: 'symlink', linkname: '../../..' },
        { name: 'a/sentinel/target', data: 'evil' },
        { name: 'b', type: 'symlink', linkname: '../sentinel' },
        { name: 'b/new', data: 'evil' },
        { name: 'c', type: 'symlink', linkname: '../sentinel/etc' },
        { name: 'c/', type: 'directory', mode: 0o777 },
      ], (dest) => {
        assert.equal(readFileSync(join(dest, 'sentinel/target'), 'utf8'), 'evil');
        assert.ok(lstatSync(join(dest, 'c')).isDirectory());
      });
    });

    it('resolves symlink chains and stops loops', async () => {
      const err = await hostile([
        { name: 'l1', type: 'symlink', linkname: 'l2' },
        { name: 'l2', type: 'symlink', linkname: '../../sentinel' },
        { name: 'l1/target', data: 'evil' },
        { name: 'loop', type: 'symlink', linkname: 'loop' },
        { name: 'loop/x', data: 'evil' },
      ], (dest) => {
        assert.equal(readFileSync(join(dest, 'sentinel/target'), 'utf8'), 'evil');
      }, true);
      assert.ok(err instanceof Error && /symbolic links/.test(err.message));
    });

    it('rejects a hardlink to /etc/shadow that does not exist inside dest', async () => {
      const err = await hostile([{ name: 'shadow', type: 'link', linkname: '/etc/shadow' }], undefined, true);
      assert.ok(err instanceof Error && /hardlink/.test(err.message));
    });

    it('rejects a hardlink to ../x and one through a symlink out', async () => {
      const err1 = await hostile([{ name: 'h', type: 'link', linkname: '../x' }], undefined, true);
      assert.ok(err1 instanceof Error);
      const err2 = await hostile([
        { name: 's', type: 'symlink', linkname: '../../sentinel' },
        { name: 'h', type: 'link', linkname: 's/target' },
      ], undefined, true);
      assert.ok(err2 instanceof Error);
    });

    it('links a symlink itself, never its target', async () => {
      await hostile([
        { name: 's', type: 'symlink', linkname: '/etc/shadow' },
        { name: 'h', type: 'link', linkname: 's' },
      ], (dest) => {
        assert.ok(lstatSync(join(dest, 'h')).isSymbolicLink());
      });
    });

    it('never chmods, chowns or writes through a symlink as the final component', async () => {
      await hostile([
        { name: 't', type: 'symlink', linkname: '../sentinel/target' },
        { name: 't', data: 'evil', mode: 0o4777, uid: 1 },
        { name: 'e', type: 'symlink', linkname: '../sentinel/etc' },
        { name: 'e', type: 'directory', mode: 0o777, uid: 2 },
        { name: 'w', type: 'symlink', linkname: '../sentinel/target' },
        { name: '.wh.w', data: '' },
        { name: 'o', type: 'symlink', linkname: '../sentinel/etc' },
        { name: 'o/.wh.passwd', data: '' },
      ], (dest) => {
        assert.equal(readFileSync(join(dest, 't'), 'utf8'), 'evil');
        assert.ok(lstatSync(join(dest, 'w')).isCharacterDevice());
      });
    });

    it('keeps the root of dest untouched by "./" and ".." entries', async () => {
      const { dest } = setup();
      const mode = statSync(dest).mode;
      await extractTar(await tarStream([
        { name: './', type: 'directory', mode: 0o777, uid: 99 },
        { name: '..', type: 'directory', mode: 0o777 },
      ]), dest);
      assert.equal(statSync(dest).mode, mode);
      assert.equal(statSync(dest).uid, 0);
    });
  });

  it('stops on abort', async () => {
    const { dest } = setup();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(extractTar(await tarStream([{ name: 'a', data: 'x' }]), dest, { signal: ac.signal }));
  });

  it('refuses to swap a directory and a non-directory with noOverwriteDirNonDir, and gives every entry `owner`', async () => {
    const { dest } = setup();
    await extractTar(await tarStream([{ name: 'd/', type: 'directory' }, { name: 'f', data: 'x' }]), dest, { owner: { uid: 4321, gid: 8765 } });
    assert.equal(statSync(join(dest, 'f')).uid, 4321);
    assert.equal(statSync(join(dest, 'd')).gid, 8765);
    await assert.rejects(extractTar(await tarStream([{ name: 'd', data: 'file over dir' }]), dest, { noOverwriteDirNonDir: true }), { kind: 'Conflict' });
    await assert.rejects(extractTar(await tarStream([{ name: 'f/', type: 'directory' }]), dest, { noOverwriteDirNonDir: true }), { kind: 'Conflict' });
    assert.ok(statSync(join(dest, 'd')).isDirectory());
    assert.equal(readFileSync(join(dest, 'f'), 'utf8'), 'x');
  });

  it('writes a large file whole, however the stream is chunked', async () => {
    const { dest } = setup();
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const tar = await tarBuffer([{ name: 'big', data: big }]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < tar.length; i += 1000) chunks.push(tar.subarray(i, i + 1000));
    await extractTar(Readable.from(chunks), dest);
    assert.equal(hashFile(join(dest, 'big')), createHash('sha256').update(big).digest('hex'));
  });

  it('refuses a tar cut inside a file, however it arrives', async () => {
    const tar = await tarBuffer([{ name: 'a', data: 'first\n' }, { name: 'big', data: 'x'.repeat(4000) }]);
    const cut = tar.subarray(0, 512 * 3 + 1000);
    for (const source of [Readable.from([cut]), Readable.from([cut.subarray(0, 700), cut.subarray(700)])]) {
      await assert.rejects(extractTar(source, setup().dest), /invalid tar stream: Unexpected end of data/);
    }
  });

  it('renames entries under `rename.from` (and hardlink targets) while extracting', async () => {
    const { dest } = setup();
    await extractTar(await tarStream([
      { name: 'a/', type: 'directory' }, { name: 'a/x', data: 'x' }, { name: 'a/h', type: 'link', linkname: 'a/x' }, { name: 'other', data: 'o' },
    ]), dest, { rename: { from: 'a', to: 'b' } });
    assert.deepEqual(readdirSync(dest).sort(), ['b', 'other']);
    assert.equal(readFileSync(join(dest, 'b/h'), 'utf8'), 'x');
  });
});
