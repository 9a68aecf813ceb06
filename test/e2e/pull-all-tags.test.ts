// `pull --all-tags`: the real docker CLI and berth pull every tag of a repository from a real registry.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';
import { haveRegistry, startRegistry, type TestRegistry } from './registry';

const ctx = useDaemon();
let reg: TestRegistry;
let repo: string;
const ids: Record<string, string> = {};

const skip = !haveRegistry() && 'docker-registry is not installed (apt-get install docker-registry)';

let seeded: Promise<void> | undefined;
/** The registry, with two different images under three tags (after the daemon's own start-up hook). */
const seed = () => (seeded ??= (async () => {
  reg = await startRegistry();
  repo = `${reg.host}/all/box`;
  const made = await ctx.d.docker(['run', '--name', 'seed', '--network', 'none', 'busybox', 'sh', '-c', 'echo two > /two']);
  assert.equal(made.code, 0, made.stderr);
  assert.equal((await ctx.d.docker(['commit', 'seed', `${repo}:two`])).code, 0);
  await ctx.d.docker(['rm', 'seed']);
  for (const t of ['one', 'uno']) assert.equal((await ctx.d.docker(['tag', 'busybox', `${repo}:${t}`])).code, 0);
  for (const t of ['one', 'uno', 'two']) {
    ids[t] = (await ctx.d.docker(['image', 'inspect', '-f', '{{.Id}}', `${repo}:${t}`])).stdout.trim();
    const push = await ctx.d.docker(['push', `${repo}:${t}`]);
    assert.equal(push.code, 0, push.stderr);
  }
})());
after(async () => {
  await reg?.stop();
});

async function dropLocalTags(): Promise<void> {
  await seed();
  const r = await ctx.d.docker(['rmi', `${repo}:one`, `${repo}:uno`, `${repo}:two`]);
  assert.equal(r.code, 0, r.stderr);
}

async function assertAllTagsLocal(): Promise<void> {
  for (const t of ['one', 'uno', 'two']) {
    const r = await ctx.d.docker(['image', 'inspect', '-f', '{{.Id}}', `${repo}:${t}`]);
    assert.equal(r.code, 0, `${t}: ${r.stderr}`);
    assert.equal(r.stdout.trim(), ids[t], t);
  }
}

test('docker pull -a fetches every tag, each with its own progress, then one status for the repository', { skip }, async () => {
  await dropLocalTags();
  const pull = await ctx.d.docker(['pull', '-a', repo]);
  assert.equal(pull.code, 0, pull.stderr);
  for (const t of ['one', 'uno', 'two']) assert.match(pull.stdout, new RegExp(`${t}: Pulling from all/box`));
  assert.equal(pull.stdout.match(/Digest: sha256:/g)?.length, 3, pull.stdout);
  assert.match(pull.stdout, new RegExp(`Status: Downloaded newer image for ${repo}\\n`));
  assert.equal(pull.stdout.trim().split('\n').at(-1), repo);
  await assertAllTagsLocal();
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', `${repo}:two`, 'cat', '/two']);
  assert.equal(out.stdout.trim(), 'two', out.stderr);

  const again = await ctx.d.docker(['pull', '--all-tags', repo]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${repo}\\n`));
});

test('berth pull -a does the same, and refuses a tag with -a as docker does', { skip }, async () => {
  await dropLocalTags();
  const pull = await ctx.d.berth(['pull', '-a', repo]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.doesNotMatch(pull.stdout, /Using default tag/);
  assert.match(pull.stdout, new RegExp(`Status: Downloaded newer image for ${repo}\\n`));
  assert.equal(pull.stdout.trim().split('\n').at(-1), repo);
  await assertAllTagsLocal();

  const tagged = await ctx.d.berth(['pull', '-a', `${repo}:one`]);
  assert.equal(tagged.code, 1);
  assert.match(tagged.stderr, /tag can't be used with --all-tags\/-a/);
  const docker = await ctx.d.docker(['pull', '-a', `${repo}:one`]);
  assert.notEqual(docker.code, 0);
  assert.match(docker.stderr, /tag can't be used with --all-tags\/-a/);
});

test('pull -a of a repository the registry does not have fails clearly and stores nothing', { skip }, async () => {
  await seed();
  const before = (await ctx.d.docker(['images', '-q'])).stdout;
  const r = await ctx.d.docker(['pull', '-a', `${reg.host}/none/such`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /none\/such/);
  assert.equal((await ctx.d.docker(['images', '-q'])).stdout, before);
});
