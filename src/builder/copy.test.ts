import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyInto, digestSources, resolveChown } from './copy';

function fixture(): { src: string; root: string; cleanup: () => void } {
  const top = mkdtempSync('/tmp/berth-copy-test-');
  const src = path.join(top, 'src');
  const root = path.join(top, 'root');
  mkdirSync(path.join(src, 'dir/sub'), { recursive: true });
  writeFileSync(path.join(src, 'file'), 'F');
  writeFileSync(path.join(src, 'dir/sub/inner'), 'I');
  symlinkSync('sub/inner', path.join(src, 'dir/link'));
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  mkdirSync(path.join(root, 'existing'));
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n');
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nstaff:x:50:\n');
  symlinkSync('/etc', path.join(root, 'abs'));
  return { src, root, cleanup: () => rmSync(top, { recursive: true, force: true }) };
}

const opts = { uid: 0, gid: 0, destIsDir: false, extractArchives: false };

test('Docker\'s destination rules: into a dir (slash or existing), as a new name, a folder\'s contents', async () => {
  const f = fixture();
  try {
    const file = { hostPath: path.join(f.src, 'file'), name: 'file' };
    await copyInto(f.root, [file], '/new/dir/', { ...opts, destIsDir: true });
    assert.equal(readFileSync(path.join(f.root, 'new/dir/file'), 'utf8'), 'F');
    await copyInto(f.root, [file], '/existing', opts);
    assert.ok(existsSync(path.join(f.root, 'existing/file')));
    await copyInto(f.root, [file], '/renamed', opts);
    assert.equal(readFileSync(path.join(f.root, 'renamed'), 'utf8'), 'F');
    await copyInto(f.root, [{ hostPath: path.join(f.src, 'dir'), name: 'dir' }], '/contents', { ...opts, uid: 7, gid: 8, mode: 0o700 });
    assert.equal(readFileSync(path.join(f.root, 'contents/sub/inner'), 'utf8'), 'I');
    assert.ok(lstatSync(path.join(f.root, 'contents/link')).isSymbolicLink(), 'links are copied as links');
    const st = statSync(path.join(f.root, 'contents/sub/inner'));
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [7, 8, 0o700]);
  } finally {
    f.cleanup();
  }
});

test('a destination through a symlink in the image stays inside the image root', async () => {
  const f = fixture();
  try {
    await copyInto(f.root, [{ hostPath: path.join(f.src, 'file'), name: 'file' }], '/abs/berth-copy-test-file', opts);
    assert.equal(readFileSync(path.join(f.root, 'etc/berth-copy-test-file'), 'utf8'), 'F');
    assert.ok(!existsSync('/etc/berth-copy-test-file'));
  } finally {
    f.cleanup();
  }
});

test('--chown names come from the image; the digest changes with content and mode', async () => {
  const f = fixture();
  try {
    assert.deepEqual(await resolveChown(f.root, 'app:staff'), { uid: 1001, gid: 50 });
    assert.deepEqual(await resolveChown(f.root, '12'), { uid: 12, gid: 12 });
    await assert.rejects(resolveChown(f.root, 'nobody'), /can't find uid for user nobody/);
    const src = [{ hostPath: path.join(f.src, 'dir'), name: 'dir' }];
    const before = await digestSources(src);
    writeFileSync(path.join(f.src, 'dir/sub/inner'), 'changed');
    const after = await digestSources(src);
    assert.notEqual(before, after);
    rmSync(path.join(f.src, 'dir/sub/inner'));
    writeFileSync(path.join(f.src, 'dir/sub/inner'), 'changed', { mode: 0o600 });
    assert.notEqual(await digestSources(src), after);
  } finally {
    f.cleanup();
  }
});
