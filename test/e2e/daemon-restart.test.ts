// A berthd killed with SIGKILL and restarted leaves containers untouched and takes them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 of berthd, then a restart: running containers run on, exits meanwhile are seen', async () => {
  const ticker = (await ctx.d.docker(['run', '-d', '--name', 'ticker', '--network', 'none', 'busybox', 'sh', '-c',
    'trap "exit 0" TERM; i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done'])).stdout.trim();
  const shortLived = (await ctx.d.docker(['run', '-d', '--name', 'short', '--network', 'none', 'busybox', 'sh', '-c', 'sleep 1.5; exit 9'])).stdout.trim();
  const waiter = (await ctx.d.docker(['run', '-d', '--name', 'waiter', '--network', 'none', 'busybox', 'sleep', '1000'])).stdout.trim();
  await sleep(500);
  const pidBefore = (await ctx.d.docker(['inspect', '--format', '{{.State.Pid}}', ticker])).stdout.trim();
  await ctx.d.kill9();
  assert.equal(process.kill(Number(pidBefore), 0), true, 'container process survives the daemon');
  await sleep(2000);
  await ctx.d.restart();

  const state = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State}}', ticker])).stdout);
  assert.equal(state.Status, 'running');
  assert.equal(String(state.Pid), pidBefore);
  const ps = await ctx.d.docker(['ps', '--format', '{{.Names}}']);
  assert.match(ps.stdout, /ticker/);

  const short = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State}}', shortLived])).stdout);
  assert.equal(short.Status, 'exited');
  assert.equal(short.ExitCode, 9);

  const lines1 = (await ctx.d.docker(['logs', ticker])).stdout.trim().split('\n').length;
  await sleep(600);
  const lines2 = (await ctx.d.docker(['logs', ticker])).stdout.trim().split('\n').length;
  assert.ok(lines2 > lines1, 'logs keep flowing');

  const wait = ctx.d.docker(['wait', waiter]);
  await sleep(200);
  assert.equal((await ctx.d.docker(['kill', waiter])).code, 0);
  assert.equal((await wait).stdout.trim(), '137');
  assert.equal((await ctx.d.docker(['stop', ticker])).code, 0);
  assert.equal((await ctx.d.docker(['inspect', '--format', '{{.State.ExitCode}}', ticker])).stdout.trim(), '0');
  assert.equal((await ctx.d.docker(['rm', ticker, shortLived, waiter])).code, 0);
});

test('SIGTERM shuts berthd down without stopping containers', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000'])).stdout.trim();
  const pid = Number((await ctx.d.docker(['inspect', '--format', '{{.State.Pid}}', id])).stdout.trim());
  await ctx.d.stop();
  assert.equal(process.kill(pid, 0), true);
  await ctx.d.restart();
  assert.equal((await ctx.d.docker(['inspect', '--format', '{{.State.Status}}', id])).stdout.trim(), 'running');
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
});
