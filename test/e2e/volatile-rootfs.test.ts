// `--rm` containers run on a volatile overlay root (nothing synced at exit); kept containers on a durable one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelHasVolatileOverlay } from '../../src/services/containers/volatile-rootfs';
import { useDaemon } from './harness';

const ctx = useDaemon();

/** Whether the container's root mount, as the container itself sees it, is volatile (newer kernels show `fsync=volatile`). */
function rootIsVolatile(procMounts: string): boolean {
  const root = procMounts.split('\n').map((l) => l.split(' ')).find((f) => f[1] === '/');
  assert.ok(root, `no root mount in:\n${procMounts}`);
  return root[3].split(',').some((o) => o === 'volatile' || o === 'fsync=volatile');
}

test('run --rm mounts the root volatile; a kept container, started twice, is durable', { skip: !kernelHasVolatileOverlay() && 'kernel older than 5.10' }, async () => {
  const rm = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'cat', '/proc/mounts']);
  assert.equal(rm.code, 0, rm.stderr);
  assert.ok(rootIsVolatile(rm.stdout), rm.stdout);

  const created = await ctx.d.berth(['create', '--rm', '--network', 'none', 'busybox', 'cat', '/proc/mounts']);
  assert.equal(created.code, 0, created.stderr);
  const started = await ctx.d.berth(['start', '-a', created.stdout.trim()]);
  assert.equal(started.code, 0, started.stderr);
  assert.ok(rootIsVolatile(started.stdout), started.stdout);

  const kept = await ctx.d.docker(['run', '--name', 'kept', '--network', 'none', 'busybox', 'cat', '/proc/mounts']);
  assert.equal(kept.code, 0, kept.stderr);
  assert.ok(!rootIsVolatile(kept.stdout), kept.stdout);
  const again = await ctx.d.docker(['start', '-a', 'kept']);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(!rootIsVolatile(again.stdout), again.stdout);
  assert.equal((await ctx.d.docker(['rm', 'kept'])).code, 0);
});
