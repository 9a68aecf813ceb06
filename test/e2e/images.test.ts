// Images through berthd: import with changes, tag, rmi (untag vs delete, refused while used), history, prune, hostile tarballs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pack } from 'tar-stream';
import { useDaemon } from './harness';

const ctx = useDaemon();

async function tarOf(entries: Array<{ name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string; body?: string }>): Promise<Buffer> {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: 0o755 }, e.body ?? '');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('busybox is listed, inspectable and runnable', async () => {
  assert.match(ctx.busyboxId, /^sha256:[0-9a-f]{64}$/);
  const images = await ctx.d.docker(['images']);
  assert.match(images.stdout.split('\n')[0], /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.match(images.stdout, new RegExp(`busybox\\s+latest\\s+${ctx.busyboxId.slice(7, 19)}`));
  const info = JSON.parse((await ctx.d.docker(['image', 'inspect', 'busybox'])).stdout)[0];
  assert.equal(info.Id, ctx.busyboxId);
  assert.deepEqual(info.RepoTags, ['busybox:latest']);
  assert.deepEqual(info.Config.Cmd, ['sh']);
  assert.equal(info.RootFS.Layers.length, 1);
  assert.equal((await ctx.d.docker(['image', 'inspect', '--format', '{{.Id}}', ctx.busyboxId.slice(7, 17)])).stdout.trim(), ctx.busyboxId);
  assert.equal((await ctx.d.docker(['image', 'inspect', `docker.io/library/busybox:latest`])).code, 0);
});

test('import honours CMD, ENV and WORKDIR changes and the message', async () => {
  const tar = await tarOf([{ name: 'hello.txt', body: 'hi\n' }]);
  const imp = await ctx.d.docker(['import', '-c', 'CMD ["/bin/cat","hello.txt"]', '-c', 'ENV A=1 B=two', '-c', 'WORKDIR /', '-m', 'my import', '-', 'imported:v1'], { input: tar });
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  const cfg = JSON.parse((await ctx.d.docker(['image', 'inspect', '--format', '{{json .Config}}', 'imported:v1'])).stdout);
  assert.deepEqual(cfg.Cmd, ['/bin/cat', 'hello.txt']);
  assert.deepEqual(cfg.Env, ['A=1', 'B=two']);
  const hist = await ctx.d.docker(['history', 'imported:v1']);
  assert.match(hist.stdout, /my import/);
  const bad = await ctx.d.docker(['import', '-c', 'RUN rm -rf /', '-', 'nope'], { input: tar });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /not a valid change command/);
});

test('tag and rmi: untag while other tags remain, delete with the last one', async () => {
  assert.equal((await ctx.d.docker(['tag', 'busybox', 'mybox:1'])).code, 0);
  assert.equal((await ctx.d.docker(['tag', 'busybox', 'localhost:5000/team/mybox:2'])).code, 0);
  const list = await ctx.d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.match(list.stdout, /mybox:1/);
  assert.match(list.stdout, /localhost:5000\/team\/mybox:2/);
  const untag = await ctx.d.docker(['rmi', 'mybox:1']);
  assert.equal(untag.code, 0, untag.stderr);
  assert.equal(untag.stdout.trim(), 'Untagged: mybox:1');
  await ctx.d.docker(['rmi', 'localhost:5000/team/mybox:2']);
  assert.equal((await ctx.d.docker(['image', 'inspect', 'busybox'])).code, 0);
  const tar = await tarOf([{ name: 'f', body: 'x' }]);
  const id = (await ctx.d.docker(['import', '-', 'throwaway'], { input: tar })).stdout.trim();
  // The layer is kept as a content-addressed blob named by its diffID, beside the config.
  const diffID: string = JSON.parse((await ctx.d.docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', id])).stdout)[0];
  const blob = (digest: string) => path.join(ctx.d.dataRoot, 'content/blobs/sha256', digest.slice(7));
  assert.equal(existsSync(blob(diffID)), true);
  assert.equal(existsSync(blob(id)), true);
  const del = await ctx.d.docker(['rmi', 'throwaway']);
  assert.equal(del.stdout, `Untagged: throwaway:latest\nDeleted: ${id}\n`);
  assert.equal((await ctx.d.docker(['image', 'inspect', id])).code, 1);
  assert.equal(existsSync(blob(diffID)), false, 'the layer blob went with the image');
  assert.equal(existsSync(blob(id)), false);
});

test('rmi is refused while a container uses the image, unless forced', async () => {
  await ctx.d.docker(['tag', 'busybox', 'inuse']);
  const c = await ctx.d.docker(['create', '--network', 'none', 'inuse', 'true']);
  assert.equal(c.code, 0, c.stderr);
  await ctx.d.docker(['rmi', 'busybox']).then((r) => assert.equal(r.stdout.trim(), 'Untagged: busybox:latest'));
  const refused = await ctx.d.docker(['rmi', 'inuse']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /conflict: unable to remove repository reference "inuse" \(must force\) - container [0-9a-f]{12} is using its referenced image/);
  const api = await ctx.d.client.request('DELETE', '/images/inuse').catch((e) => e);
  assert.equal(api.statusCode, 409);
  const byId = await ctx.d.docker(['rmi', ctx.busyboxId.slice(7, 19)]);
  assert.match(byId.stderr, /must be forced|cannot be forced/);
  assert.equal((await ctx.d.docker(['image', 'inspect', 'inuse'])).code, 0, 'nothing was lost');
  await ctx.d.docker(['rm', c.stdout.trim()]);
  await ctx.d.docker(['tag', 'inuse', 'busybox']);
  await ctx.d.docker(['rmi', 'inuse']);
});

test('an unknown image is a 404 for inspect, history and rmi', async () => {
  for (const [m, p] of [['GET', '/images/nope/json'], ['GET', '/images/nope/history'], ['DELETE', '/images/nope']]) {
    const err = await ctx.d.client.request(m, p).catch((e) => e);
    assert.equal(err.statusCode, 404, p);
    assert.match(err.message, /No such image: nope/);
  }
});

test('image prune removes dangling images only', async () => {
  const tar = await tarOf([{ name: 'g', body: 'y' }]);
  const dangling = (await ctx.d.docker(['import', '-'], { input: tar })).stdout.trim();
  const pr = await ctx.d.docker(['image', 'prune', '-f']);
  assert.equal(pr.code, 0, pr.stderr);
  assert.match(pr.stdout, new RegExp(`deleted: ${dangling}`));
  assert.equal((await ctx.d.docker(['image', 'inspect', 'busybox'])).code, 0);
});

test('an import tarball cannot write outside its snapshot', async () => {
  const outside = mkdtempSync('/tmp/berth-escape-');
  try {
    const tar = await tarOf([
      { name: '../../../../../../..' + outside + '/dotdot', body: 'escaped' },
      { name: outside + '/absolute', body: 'escaped' },
      { name: 'up', type: 'symlink', linkname: outside },
      { name: 'up/via-abs-link', body: 'escaped' },
      { name: 'rel', type: 'symlink', linkname: '../../../../../../../../..' + outside },
      { name: 'rel/via-rel-link', body: 'escaped' },
      { name: 'hard', type: 'link', linkname: '../../../../../../../etc/hostname' },
    ]);
    const r = await ctx.d.docker(['import', '-', 'hostile'], { input: tar });
    for (const f of ['dotdot', 'absolute', 'via-abs-link', 'via-rel-link']) assert.equal(existsSync(`${outside}/${f}`), false, f);
    if (r.code === 0) {
      // Whatever was kept stayed inside the container's root.
      const ls = await ctx.d.docker(['run', '--rm', '--network', 'none', '-v', '/bin/busybox:/bb:ro', 'hostile', '/bb', 'find', '/', '-xdev', '-name', 'via-*']);
      assert.doesNotMatch(ls.stdout, /^\/tmp/m);
    } else {
      assert.match(r.stderr, /Error response from daemon/);
    }
    assert.equal((await ctx.d.docker(['image', 'inspect', 'busybox'])).code, 0);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
