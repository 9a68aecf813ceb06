import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expandSource, matchComponent, resolveInContext } from './context';

function fixture(): string {
  const root = mkdtempSync('/tmp/berth-ctx-test-');
  mkdirSync(path.join(root, 'dir/sub'), { recursive: true });
  for (const f of ['a.txt', 'b.txt', 'c.log', 'dir/sub/d.txt']) writeFileSync(path.join(root, f), f);
  symlinkSync('dir/sub', path.join(root, 'inside'));
  symlinkSync('/etc', path.join(root, 'abs'));
  symlinkSync('../../../../etc', path.join(root, 'climb'));
  return root;
}

test('Go-style component patterns', () => {
  assert.ok(matchComponent('*.txt', 'a.txt'));
  assert.ok(!matchComponent('*.txt', 'a.log'));
  assert.ok(matchComponent('?.t[a-x]t', 'b.txt'));
  assert.ok(matchComponent('[^a]*', 'b'));
  assert.ok(!matchComponent('[^a]*', 'a'));
});

test('sources resolve inside the context; links and .. that leave it are refused', async () => {
  const root = fixture();
  try {
    assert.equal(await resolveInContext(root, 'inside/d.txt'), path.join(root, 'dir/sub/d.txt'));
    for (const bad of ['abs', 'abs/passwd', 'climb/passwd', '../x', 'dir/../../x']) {
      await assert.rejects(expandSource(root, bad), /forbidden path outside the build context/, bad);
    }
    await assert.rejects(expandSource(root, 'missing'), /file not found in build context/);
    assert.deepEqual((await expandSource(root, '*.txt')).map((p) => path.relative(root, p)), ['a.txt', 'b.txt']);
    assert.deepEqual((await expandSource(root, 'd*/*/*.txt')).map((p) => path.relative(root, p)), ['dir/sub/d.txt']);
    await assert.rejects(expandSource(root, '*.none'), /matched nothing/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
