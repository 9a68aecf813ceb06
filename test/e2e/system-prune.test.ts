// docker system prune and berth system prune: stopped containers, unused networks, anonymous volumes, unused images and build cache go; what is in use stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon();

async function ok(args: string[], input?: string): Promise<string> {
  const r = await ctx.d.docker(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function names(kind: 'network' | 'volume' | 'image'): Promise<string[]> {
  const fmt = kind === 'image' ? '{{.Repository}}:{{.Tag}}' : '{{.Name}}';
  return (await ok([kind, 'ls', '--format', fmt])).split('\n').filter(Boolean);
}

test('docker system prune removes stopped containers and unused networks, keeps what a running container uses', async () => {
  const stopped = (await ok(['create', '--network', 'none', 'busybox', 'true'])).trim();
  await ok(['network', 'create', 'prune-unused']);
  await ok(['network', 'create', 'prune-used']);
  const running = (await ok(['run', '-d', '--network', 'prune-used', 'busybox', 'sleep', '300'])).trim();
  const out = await ok(['system', 'prune', '-f']);
  assert.match(out, new RegExp(`Deleted Containers:\\n${stopped}\\n`));
  assert.match(out, /Deleted Networks:\nprune-unused\n/);
  assert.match(out, /Total reclaimed space: /);
  const nets = await names('network');
  assert.ok(!nets.includes('prune-unused'), nets.join(','));
  assert.ok(nets.includes('prune-used') && nets.includes('bridge'), nets.join(','));
  assert.equal((await ok(['ps', '-q', '--no-trunc'])).trim(), running);
  assert.ok((await names('image')).includes('busybox:latest'));
  await ok(['rm', '-f', running]);
  await ok(['network', 'rm', 'prune-used']);
});

test('without -f the prompt answers no and nothing is removed', async () => {
  const stopped = (await ok(['create', '--network', 'none', 'busybox', 'true'])).trim();
  const r = await ctx.d.berth(['system', 'prune'], { input: 'n\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /WARNING! This will remove:\n {2}- all stopped containers\n/);
  assert.match(r.stdout, /Are you sure you want to continue\? \[y\/N\] $/);
  assert.ok((await ok(['ps', '-a', '-q', '--no-trunc'])).includes(stopped));
  await ok(['rm', stopped]);
});

test('berth system prune -a --volumes also takes anonymous volumes and images no container uses', async () => {
  // An image of its own (busybox itself stays: a running container uses it, and Docker keeps all of its tags).
  await ok(['create', '--name', 'prune-base', '--network', 'none', 'busybox', 'true']);
  await ok(['commit', 'prune-base', 'prune-me:1']);
  await ok(['run', '--network', 'none', '-v', '/anon', '-v', 'prune-named:/named', 'busybox', 'true']);
  const anon = (await names('volume')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  assert.equal(anon.length, 1);
  const keeper = (await ok(['run', '-d', '--network', 'none', 'busybox', 'sleep', '300'])).trim();
  const r = await ctx.d.berth(['system', 'prune', '-a', '-f', '--volumes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Deleted Volumes:\\n${anon[0]}\\n`));
  assert.match(r.stdout, /Deleted Images:\nuntagged: prune-me:1\n/);
  const vols = await names('volume');
  assert.deepEqual(vols, ['prune-named']);
  const imgs = await names('image');
  assert.ok(imgs.includes('busybox:latest') && !imgs.includes('prune-me:1'), imgs.join(','));
  await ok(['rm', '-f', keeper]);
  await ok(['volume', 'rm', 'prune-named']);
});
