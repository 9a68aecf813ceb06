// docker commit, diff, export and history against berthd with the real docker CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { run as run2, useDaemon } from './harness';

const ctx = useDaemon();

async function tarNames(buf: Buffer): Promise<Map<string, string>> {
  const ex = extract();
  const out = new Map<string, string>();
  Readable.from([buf]).pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name, Buffer.concat(chunks).toString());
  }
  return out;
}

test('diff lists added, changed and deleted paths; commit keeps them with changes, message and author', async () => {
  const run = await ctx.d.docker(['run', '--name', 'c1', '--network', 'none', 'busybox', 'sh', '-c', 'echo hi > /hello && rm /bin/true && mkdir /newdir']);
  assert.equal(run.code, 0, run.stderr);
  const diff = await ctx.d.docker(['diff', 'c1']);
  assert.equal(diff.code, 0, diff.stderr);
  const lines = diff.stdout.trim().split('\n');
  assert.ok(lines.includes('A /hello'), diff.stdout);
  assert.ok(lines.includes('A /newdir'), diff.stdout);
  assert.ok(lines.includes('C /bin'), diff.stdout);
  assert.ok(lines.includes('D /bin/true'), diff.stdout);
  assert.ok(!/\/etc/.test(diff.stdout), 'the mount points runc made for /etc/hosts and friends are not changes');

  const commit = await ctx.d.docker(['commit', '-m', 'my message', '-a', 'Ms. Nobody', '-c', 'CMD ["cat", "/hello"]', '-c', 'ENV X=1', 'c1', 'committed:v1']);
  assert.equal(commit.code, 0, commit.stderr);
  assert.match(commit.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  const info = JSON.parse((await ctx.d.docker(['image', 'inspect', 'committed:v1'])).stdout)[0];
  assert.equal(info.Author, 'Ms. Nobody');
  assert.equal(info.Comment, 'my message');
  assert.deepEqual(info.Config.Cmd, ['cat', '/hello']);
  assert.ok(info.Config.Env.includes('X=1'));
  assert.equal(info.RootFS.Layers.length, 2);
  const layer = await run2('tar', ['-tf', `${ctx.d.dataRoot}/content/blobs/sha256/${info.RootFS.Layers[1].slice(7)}`]);
  assert.equal(layer.code, 0, layer.stderr);
  assert.ok(!/^etc\/(hosts|hostname|resolv\.conf)$/m.test(layer.stdout), layer.stdout);
  assert.equal(info.Parent, ctx.busyboxId);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', 'committed:v1']);
  assert.equal(out.stdout, 'hi\n');
  const gone = await ctx.d.docker(['run', '--rm', '--network', 'none', 'committed:v1', 'ls', '/bin/true']);
  assert.notEqual(gone.code, 0, 'the deletion was committed as a whiteout');
  const hist = await ctx.d.docker(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'committed:v1']);
  assert.equal(hist.stdout.split('\n')[0], "sh -c echo hi > /hello && rm /bin/true && mkdir /newdir|my message");
});

test('export streams the whole root filesystem of a stopped container', async () => {
  const res = await ctx.d.client.request('GET', '/containers/c1/export');
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  const names = await tarNames(Buffer.concat(chunks));
  assert.equal(names.get('hello'), 'hi\n');
  assert.ok(names.has('bin/busybox'));
  assert.ok(!names.has('bin/true'));
  const cli = await ctx.d.docker(['export', '-o', `${ctx.d.dir}/c1.tar`, 'c1']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal((await ctx.d.docker(['export', 'nope'])).code, 1);
  const bad = await ctx.d.client.request('POST', '/commit', { query: { container: 'nope' } }).catch((e) => e);
  assert.equal(bad.statusCode, 404);
  await ctx.d.docker(['rm', 'c1']);
});

test('a running container can be committed (frozen meanwhile, as Docker does by default) and exported', async () => {
  const run = await ctx.d.docker(['run', '-d', '--name', 'live', '--network', 'none', 'busybox', 'sh', '-c', 'echo live > /state; sleep 600']);
  assert.equal(run.code, 0, run.stderr);
  for (let i = 0; i < 100 && (await ctx.d.docker(['exec', 'live', 'cat', '/state'])).stdout !== 'live\n'; i++) await new Promise((r) => setTimeout(r, 50));
  const since = Math.floor(Date.now() / 1000) - 1;
  const commit = await ctx.d.docker(['commit', 'live', 'live:snap']);
  assert.equal(commit.code, 0, commit.stderr);
  const events = await ctx.d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1),
    '--filter', 'container=live', '--format', '{{.Action}} {{index .Actor.Attributes "imageRef"}} {{index .Actor.Attributes "imageID"}}']);
  const image = (await ctx.d.docker(['image', 'inspect', '-f', '{{.Id}}', 'live:snap'])).stdout.trim();
  assert.deepEqual(events.stdout.split('\n').filter((a) => /^(pause|commit|unpause) /.test(a)),
    ['pause  ', `commit live:snap ${image}`, 'unpause  '], 'pause, commit (with the new image) and unpause, as Docker');
  const unpaused = await ctx.d.docker(['commit', '--pause=false', 'live', 'live:nopause']);
  assert.equal(unpaused.code, 0, unpaused.stderr);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'none', 'live:snap', 'cat', '/state'])).stdout, 'live\n');
  assert.equal((await ctx.d.docker(['inspect', '--format', '{{.State.Running}}', 'live'])).stdout.trim(), 'true');
  const res = await ctx.d.client.request('GET', '/containers/live/export');
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  assert.equal((await tarNames(Buffer.concat(chunks))).get('state'), 'live\n', 'a running container exports its live root');
  await ctx.d.docker(['rm', '-f', 'live']);
});
