// Built images leave the daemon whole although their layer tars are never stored: save → load and push → pull into fresh daemons, and a damaged layer refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chainIDs } from '../../src/stores/snapshots';
import { contextFolder } from './build-helpers';
import { startDaemon, useDaemon, type TestDaemon } from './harness';
import { haveRegistry, startRegistry, type TestRegistry } from './registry';

const ctx = useDaemon();
let reg: TestRegistry | undefined;

before(async () => {
  if (haveRegistry()) reg = await startRegistry();
});
after(async () => {
  await reg?.stop();
});

// Whiteouts, an opaque directory, hardlinks and symlinks: what a regenerated layer tar must reproduce exactly.
const DOCKERFILE = `FROM busybox
RUN rm /bin/vi && mkdir -p /data/sub && echo one > /data/sub/f && ln /data/sub/f /data/hard && ln -s sub/f /data/soft
RUN rm -rf /data && mkdir /data && echo two > /data/g && head -c 300000 /dev/zero > /data/zeros
CMD ["sh", "-c", "cat /data/g; ls /data/sub 2>&1; test -e /bin/vi || echo no-vi"]
`;
const EXPECTED = 'two\nls: /data/sub: No such file or directory\nno-vi';

async function build(d: TestDaemon, tag: string, extra = ''): Promise<{ id: string; diffIDs: string[] }> {
  const dir = contextFolder(d, `ctx-${tag.replace(/[^a-z0-9]/g, '-')}`, { Dockerfile: DOCKERFILE + extra });
  const b = await d.docker(['build', '--network', 'none', '-t', tag, dir]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  const info = JSON.parse((await d.docker(['image', 'inspect', tag])).stdout)[0];
  return { id: info.Id, diffIDs: info.RootFS.Layers };
}

async function runs(d: TestDaemon, image: string): Promise<void> {
  const r = await d.docker(['run', '--rm', '--network', 'none', image]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), EXPECTED);
}

/** A second daemon for one test, cleaned up with it. */
async function freshDaemon(t: { after(fn: () => Promise<void>): void }): Promise<TestDaemon> {
  const d = await startDaemon();
  t.after(() => d.cleanup());
  return d;
}

test('a built image is saved with layers made again from its snapshots, and loads and runs in a fresh daemon', async (t) => {
  const { id, diffIDs } = await build(ctx.d, 'built/saved:1');
  assert.equal(diffIDs.length, 3);
  for (const d of diffIDs.slice(1)) {
    assert.ok(!existsSync(path.join(ctx.d.dataRoot, 'content/blobs/sha256', d.slice(7))), `no tar is stored for built layer ${d}`);
  }
  await runs(ctx.d, 'built/saved:1');
  const file = path.join(ctx.d.dir, 'built.tar');
  const save = await ctx.d.docker(['save', '-o', file, 'built/saved:1']);
  assert.equal(save.code, 0, save.stderr);

  const other = await freshDaemon(t);
  const load = await other.docker(['load', '-i', file]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: built\/saved:1/);
  const info = JSON.parse((await other.docker(['image', 'inspect', 'built/saved:1'])).stdout)[0];
  assert.equal(info.Id, id, 'the same config, so every diffID matched its tar');
  await runs(other, 'built/saved:1');
});

test('a built image is pushed with layers made again from its snapshots, and pulls and runs in a fresh daemon', { skip: !haveRegistry() && 'docker-registry is not installed' }, async (t) => {
  const img = `${reg!.host}/built/pushed:1`;
  const { id } = await build(ctx.d, img);
  const push = await ctx.d.docker(['push', img]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /: Pushed/);

  const other = await freshDaemon(t);
  const pull = await other.docker(['pull', img]);
  assert.equal(pull.code, 0, pull.stderr);
  const info = JSON.parse((await other.docker(['image', 'inspect', img])).stdout)[0];
  assert.equal(info.Id, id);
  await runs(other, img);
});

test('a built layer whose files were damaged is refused by save and push, not passed on', async () => {
  const tag = 'built/damaged:1';
  // Layers of their own (no cache, nothing pushed before), so the damaged one must be made again.
  const { diffIDs } = await build(ctx.d, tag, 'RUN echo damaged > /data/g\n');
  const top = chainIDs(diffIDs)[diffIDs.length - 1]!;
  writeFileSync(path.join(ctx.d.dataRoot, 'snapshots', top.slice(7), 'fs/data/g'), 'TWO\n');
  const save = await ctx.d.docker(['save', '-o', path.join(ctx.d.dir, 'damaged.tar'), tag]);
  assert.notEqual(save.code, 0, 'save of a damaged layer fails');
  if (reg) {
    const img = `${reg.host}/built/damaged:1`;
    assert.equal((await ctx.d.docker(['tag', tag, img])).code, 0);
    const push = await ctx.d.docker(['push', img]);
    assert.notEqual(push.code, 0, 'push of a damaged layer fails');
    assert.match(push.stdout + push.stderr, /corrupt/);
  }
});

test('a clean stop syncs the built layers, so a reboot need not check them; the image still runs after', async () => {
  const { diffIDs } = await build(ctx.d, 'built/synced:1', 'RUN echo synced > /s\n');
  const record = () => JSON.parse(readFileSync(path.join(ctx.d.dataRoot, 'snapshots/records/snapshot', `${chainIDs(diffIDs)[diffIDs.length - 1]!.slice(7)}.json`), 'utf8'));
  assert.equal(record().regenerable.diffID, diffIDs[diffIDs.length - 1]);
  await ctx.d.stop();
  assert.equal(record().regenerable.synced, true);
  await ctx.d.restart();
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', 'built/synced:1', 'cat', '/s']);
  assert.equal(r.stdout.trim(), 'synced', r.stderr);
});

test('a cached step whose layer is gone (dropped after a crash) is built again, never served from the cache', async () => {
  const extra = 'RUN echo kept > /k\nRUN echo lost > /l\n';
  const { diffIDs } = await build(ctx.d, 'built/dropped:1', extra);
  await ctx.d.stop();
  // What the start-up check does to an unsynced layer that no longer hashes to its diffID: its record goes.
  rmSync(path.join(ctx.d.dataRoot, 'snapshots/records/snapshot', `${chainIDs(diffIDs)[diffIDs.length - 1]!.slice(7)}.json`));
  await ctx.d.restart();
  const dir = contextFolder(ctx.d, 'ctx-dropped-again', { Dockerfile: DOCKERFILE + extra });
  const b = await ctx.d.docker(['build', '--network', 'none', '-t', 'built/dropped:2', dir]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  const steps = b.stdout.split(/Step \d+\/\d+ : /).slice(1);
  assert.equal(steps.length, 6, b.stdout);
  assert.ok(steps.slice(1, 5).every((st) => st.includes('Using cache')), b.stdout);
  assert.ok(!steps[5]!.includes('Using cache'), `the step whose layer is gone runs again:\n${b.stdout}`);
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', 'built/dropped:2', 'cat', '/k', '/l']);
  assert.equal(r.stdout, 'kept\nlost\n', r.stderr);
});
