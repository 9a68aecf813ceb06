import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kernelHasVolatileOverlay, volatileMounts } from './volatile-rootfs';

test('volatile overlay is known from Linux 5.10 on', () => {
  assert.equal(kernelHasVolatileOverlay('5.4.0-150-generic'), false);
  assert.equal(kernelHasVolatileOverlay('5.10.0-28-amd64'), true);
  assert.equal(kernelHasVolatileOverlay('6.1.0-13-amd64'), true);
  assert.equal(kernelHasVolatileOverlay('4.19.0'), false);
});

test('overlay mounts with a work dir become volatile, with the marker of an earlier volatile mount cleared', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-volatile-'));
  try {
    const work = path.join(dir, 'work');
    mkdirSync(path.join(work, 'work', 'incompat', 'volatile'), { recursive: true });
    const overlay = { type: 'overlay', source: 'overlay', options: ['lowerdir=/l', `upperdir=${dir}/fs`, `workdir=${work}`] };
    const readOnly = { type: 'overlay', source: 'overlay', options: ['lowerdir=/a:/b'] };
    const bind = { type: 'bind', source: '/x', options: ['rbind', 'rw'] };
    const out = await volatileMounts([overlay, readOnly, bind], true);
    assert.deepEqual(out, [{ ...overlay, options: [...overlay.options, 'volatile'] }, readOnly, bind]);
    assert.equal(existsSync(path.join(work, 'work', 'incompat', 'volatile')), false);
    assert.deepEqual(await volatileMounts([overlay], false), [overlay]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
