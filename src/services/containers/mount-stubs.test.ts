import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeMountStubs } from './mount-stubs';

const noOpaque = { run: async () => ({ code: 0, stdout: '', stderr: '' }) };

function dirs(): { upper: string; lower: string; cleanup: () => void } {
  const top = mkdtempSync('/tmp/berth-stubs-test-');
  const upper = path.join(top, 'upper');
  const lower = path.join(top, 'lower');
  mkdirSync(path.join(upper, 'etc'), { recursive: true });
  mkdirSync(lower);
  for (const f of ['hosts', 'hostname', 'resolv.conf']) writeFileSync(path.join(upper, 'etc', f), '');
  return { upper, lower, cleanup: () => rmSync(top, { recursive: true, force: true }) };
}

test('the stubs and an /etc made only for them are removed; the process\'s own files stay', async () => {
  const d = dirs();
  try {
    await removeMountStubs(d.upper, [d.lower], noOpaque);
    assert.ok(!existsSync(path.join(d.upper, 'etc')));
    const e = dirs();
    writeFileSync(path.join(e.upper, 'etc/app.conf'), 'mine');
    await removeMountStubs(e.upper, [e.lower], noOpaque);
    assert.ok(existsSync(path.join(e.upper, 'etc/app.conf')));
    assert.ok(!existsSync(path.join(e.upper, 'etc/hosts')));
    e.cleanup();
  } finally {
    d.cleanup();
  }
});

test('an opaque /etc over the image\'s stays; a symlinked /etc is never followed', async () => {
  const d = dirs();
  try {
    mkdirSync(path.join(d.lower, 'etc'));
    const opaque = { run: async () => ({ code: 0, stdout: `# file: ${path.join(d.upper, 'etc')}\ntrusted.overlay.opaque="y"\n\n`, stderr: '' }) };
    await removeMountStubs(d.upper, [d.lower], opaque);
    assert.ok(existsSync(path.join(d.upper, 'etc')), 'emptied by the process: kept to hide the image\'s files');
    rmSync(path.join(d.upper, 'etc'), { recursive: true });
    const target = path.join(d.lower, 'elsewhere');
    mkdirSync(target);
    writeFileSync(path.join(target, 'hosts'), '');
    symlinkSync(target, path.join(d.upper, 'etc'));
    await removeMountStubs(d.upper, [d.lower], noOpaque);
    assert.ok(existsSync(path.join(target, 'hosts')));
  } finally {
    d.cleanup();
  }
});
