// A pulled layer's compressed copy is written without fsync: marked unsynced with this boot, and still what save and push read, across a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { useDaemon } from './harness';
import { haveRegistry, startRegistry, type TestRegistry } from './registry';

const ctx = useDaemon();
const regs: TestRegistry[] = [];

before(async () => {
  if (haveRegistry()) regs.push(await startRegistry(), await startRegistry());
});
after(async () => {
  for (const r of regs) await r.stop();
});

const skip = !haveRegistry() && 'docker-registry is not installed (apt-get install docker-registry)';

test('pulled blobs are in place marked unsynced with this boot; after a restart (same boot) they stay, and save and a push elsewhere read them', { skip }, async () => {
  const content = path.join(ctx.d.dataRoot, 'content');
  const unsynced = path.join(content, 'unsynced');
  const img = `${regs[0].host}/lazy/box:1`;
  assert.equal((await ctx.d.docker(['tag', 'busybox', img])).code, 0);
  const push = await ctx.d.docker(['push', img]);
  assert.equal(push.code, 0, push.stderr);
  const rmi = await ctx.d.docker(['rmi', '-f', ctx.busyboxId]);
  assert.equal(rmi.code, 0, rmi.stderr);

  const pull = await ctx.d.docker(['pull', img]);
  assert.equal(pull.code, 0, pull.stderr);
  const marks = readdirSync(unsynced);
  assert.ok(marks.length > 0, 'the pulled layer blob is marked');
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  for (const m of marks) {
    assert.ok(existsSync(path.join(content, 'blobs', 'sha256', m)), `blob ${m} is in place`);
    assert.equal(readFileSync(path.join(unsynced, m), 'utf8'), boot);
  }
  assert.deepEqual(readdirSync(path.join(content, 'ingest')), []);

  await ctx.d.stop();
  await ctx.d.restart();
  assert.deepEqual(readdirSync(unsynced).sort(), [...marks].sort(), 'same boot: kept, only synced later');
  const other = `${regs[1].host}/lazy/box:1`;
  assert.equal((await ctx.d.docker(['tag', img, other])).code, 0);
  const pushed = await ctx.d.docker(['push', other]);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, /: Pushed/);
  const save = await ctx.d.docker(['save', '-o', path.join(ctx.d.dir, 'lazy.tar'), img]);
  assert.equal(save.code, 0, save.stderr);
  const run = await ctx.d.docker(['run', '--rm', '--network', 'none', img, 'echo', 'pulled']);
  assert.equal(run.stdout.trim(), 'pulled', run.stderr);
  assert.equal((await ctx.d.docker(['tag', img, 'busybox:latest'])).code, 0);
});
