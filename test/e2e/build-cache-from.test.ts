// docker build --cache-from with images that were not built here: pushed and pulled back, or saved and loaded, with no local cache records left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useDaemon } from './harness';
import { contextFolder } from './build-helpers';
import { useRegistry } from './registry';

const ctx = useDaemon();
const registry = useRegistry();

const DOCKERFILE = `FROM busybox
ARG V=1
RUN echo built-$V > /built
COPY --chown=1:2 app.txt /app/app.txt
WORKDIR /app
RUN cat app.txt /built > /both
ENV GREETING=hi
CMD ["cat", "/both"]
`;
/** Steps after FROM: each one is a hit when the whole image is offered. */
const STEPS = 7;

const hits = (out: string) => (out.match(/ ---> Using cache\n/g) ?? []).length;

async function build(dir: string, ...flags: string[]) {
  const r = await ctx.d.docker(['build', '--network', 'none', ...flags, dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return { out: r.stdout, id: /Successfully built ([0-9a-f]{12})/.exec(r.stdout)?.[1] ?? '' };
}

const allImages = async () => [...new Set((await ctx.d.docker(['images', '-aq', '--no-trunc'])).stdout.trim().split('\n'))];

/** What a CI machine starts from: no image but the base (so no intermediates, no parents), no build cache. */
async function forget(): Promise<void> {
  for (const id of await allImages()) {
    // An intermediate image may already have gone with the image above it.
    if (id !== ctx.busyboxId) await ctx.d.docker(['rmi', '-f', id]);
  }
  assert.equal((await ctx.d.docker(['builder', 'prune', '-f'])).code, 0);
  assert.deepEqual(await allImages(), [ctx.busyboxId], 'only the base image is left');
}

async function ranOutput(image: string): Promise<string> {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', image]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

test('an image pulled from a registry serves every step of the same Dockerfile; a changed file misses from its COPY on', { skip: registry.skip }, async () => {
  const dir = contextFolder(ctx.d, 'pulled', { Dockerfile: DOCKERFILE, 'app.txt': 'app v1\n' });
  const img = `${registry.reg.host}/ci/app:main`;
  const first = await build(dir, '-t', img);
  assert.equal(hits(first.out), 0);
  const push = await ctx.d.docker(['push', img]);
  assert.equal(push.code, 0, push.stderr);
  await forget();
  const pull = await ctx.d.docker(['pull', img]);
  assert.equal(pull.code, 0, pull.stderr);
  const pulledId = JSON.parse((await ctx.d.docker(['image', 'inspect', img])).stdout)[0].Id as string;

  const plain = await build(dir);
  assert.equal(hits(plain.out), 0, `without --cache-from nothing is a hit:\n${plain.out}`);

  const cached = await build(dir, '--cache-from', img, '-t', 'rebuilt');
  assert.equal(hits(cached.out), STEPS, cached.out);
  assert.doesNotMatch(cached.out, /Running in/, 'no RUN ran');
  assert.equal(cached.id, pulledId.slice(7, 19), 'the last step is the pulled image itself');
  assert.equal(await ranOutput('rebuilt'), 'app v1\nbuilt-1\n');
  const parent = JSON.parse((await ctx.d.docker(['image', 'inspect', 'rebuilt'])).stdout)[0].Parent as string;
  assert.match(parent, /^sha256:[0-9a-f]{64}$/, 'the pulled image sits on the chain rebuilt for it');
  assert.ok(!(await ctx.d.docker(['images', '-q', '--no-trunc'])).stdout.includes(parent), 'so that chain is hidden, not dangling');

  writeFileSync(path.join(dir, 'app.txt'), 'app v2\n');
  const changed = await build(dir, '--cache-from', img, '-t', 'changed');
  assert.equal(hits(changed.out), 2, `ARG and the first RUN only:\n${changed.out}`);
  assert.match(changed.out, /Step 4\/8 : COPY --chown=1:2 app.txt \/app\/app.txt\n ---> [0-9a-f]{12}\n/, 'the COPY is made again');
  assert.match(changed.out, /Step 6\/8 : RUN cat app.txt \/built > \/both\n ---> Running in /, 'a RUN after it runs again');
  assert.equal(await ranOutput('changed'), 'app v2\nbuilt-1\n');
  const owner = await ctx.d.docker(['run', '--rm', '--network', 'none', 'changed', 'stat', '-c', '%u:%g', '/app/app.txt']);
  assert.equal(owner.stdout.trim(), '1:2');
});

test('a loaded image serves the steps it holds: a build arg Docker counts, or another COPY owner, misses', async () => {
  const dir = contextFolder(ctx.d, 'loaded', { Dockerfile: DOCKERFILE, 'app.txt': 'loaded\n' });
  const file = path.join(ctx.d.dir, 'app.tar');
  await build(dir, '-t', 'ci/loaded:1');
  assert.equal((await ctx.d.docker(['save', '-o', file, 'ci/loaded:1'])).code, 0);
  await forget();
  const load = await ctx.d.docker(['load', '-i', file]);
  assert.equal(load.code, 0, load.stderr);

  const history = (await ctx.d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'ci/loaded:1'])).stdout;
  assert.match(history, /^\|1 V=1 \/bin\/sh -c echo built-\$V > \/built$/m, 'RUN records the build args it sees');
  assert.match(history, /^\/bin\/sh -c #\(nop\) COPY --chown=1:2file:[0-9a-f]{64} in \/app\/app\.txt $/m, 'COPY records owner and content digest');

  const otherArg = await build(dir, '--cache-from', 'ci/loaded:1', '--build-arg', 'V=2');
  assert.equal(hits(otherArg.out), 1, `only ARG (its line is the same):\n${otherArg.out}`);
  assert.match(otherArg.out, /Step 3\/8 : RUN echo built-\$V > \/built\n ---> Running in /);

  const chowned = contextFolder(ctx.d, 'loaded-owner', { Dockerfile: DOCKERFILE.replace('--chown=1:2', '--chown=3:4'), 'app.txt': 'loaded\n' });
  const otherOwner = await build(chowned, '--cache-from', 'ci/loaded:1');
  assert.equal(hits(otherOwner.out), 2, `ARG and RUN; the COPY with another owner misses:\n${otherOwner.out}`);

  const all = await build(dir, '--cache-from', 'ci/loaded:1', '-t', 'again');
  assert.equal(hits(all.out), STEPS, all.out);
  assert.equal(await ranOutput('again'), 'loaded\nbuilt-1\n');
  const none = await build(dir, '--cache-from', 'ci/loaded:1', '--no-cache');
  assert.equal(hits(none.out), 0, '--no-cache wins over --cache-from');
});

test('multi-stage: each stage matches the image offered for it; COPY --from matches by content even when its stage ran again', async () => {
  const dir = contextFolder(ctx.d, 'stages', {
    Dockerfile: 'FROM busybox AS tools\nRUN echo tool > /tool\nFROM busybox\nCOPY --from=tools /tool /tool\nRUN cat /tool > /out\nCMD ["cat", "/out"]\n',
  });
  await build(dir, '--target', 'tools', '-t', 'ms:tools');
  await build(dir, '-t', 'ms:app');
  const file = path.join(ctx.d.dir, 'stages.tar');
  assert.equal((await ctx.d.docker(['save', '-o', file, 'ms:tools', 'ms:app'])).code, 0);
  await forget();
  assert.equal((await ctx.d.docker(['load', '-i', file])).code, 0);

  const both = await build(dir, '--cache-from', 'ms:tools', '--cache-from', 'ms:app');
  assert.equal(hits(both.out), 4, both.out);
  const appOnly = await build(dir, '--cache-from', 'ms:app', '-t', 'ms:rebuilt');
  assert.match(appOnly.out, /Step 2\/6 : RUN echo tool > \/tool\n ---> Running in /, 'the tools stage is not in ms:app');
  assert.equal(hits(appOnly.out), 3, appOnly.out);
  assert.equal(await ranOutput('ms:rebuilt'), 'tool\n');
});
