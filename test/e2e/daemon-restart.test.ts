// A berthd killed with SIGKILL and restarted leaves containers untouched and takes them back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBusybox, startDaemon, type TestDaemon } from './harness';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  await makeBusybox(d);
});
after(async () => { await d?.cleanup(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 of berthd, then a restart: running containers run on, exits meanwhile are seen', async () => {
  const ticker = (await d.docker(['run', '-d', '--name', 'ticker', '--network', 'none', 'busybox', 'sh', '-c',
    'trap "exit 0" TERM; i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done'])).stdout.trim();
  const shortLived = (await d.docker(['run', '-d', '--name', 'short', '--network', 'none', 'busybox', 'sh', '-c', 'sleep 1.5; exit 9'])).stdout.trim();
  const waiter = (await d.docker(['run', '-d', '--name', 'waiter', '--network', 'none', 'busybox', 'sleep', '1000'])).stdout.trim();
  await sleep(500);
  const pidBefore = (await d.docker(['inspect', '--format', '{{.State.Pid}}', ticker])).stdout.trim();
  await d.kill9();
  assert.equal(process.kill(Number(pidBefore), 0), true, 'container process survives the daemon');
  await sleep(2000);
  await d.restart();

  const state = JSON.parse((await d.docker(['inspect', '--format', '{{json .State}}', ticker])).stdout);
  assert.equal(state.Status, 'running');
  assert.equal(String(state.Pid), pidBefore);
  const ps = await d.docker(['ps', '--format', '{{.Names}}']);
  assert.match(ps.stdout, /ticker/);

  const short = JSON.parse((await d.docker(['inspect', '--format', '{{json .State}}', shortLived])).stdout);
  assert.equal(short.Status, 'exited');
  assert.equal(short.ExitCode, 9);

  const lines1 = (await d.docker(['logs', ticker])).stdout.trim().split('\n').length;
  await sleep(600);
  const lines2 = (await d.docker(['logs', ticker])).stdout.trim().split('\n').length;
  assert.ok(lines2 > lines1, 'logs keep flowing');

  const wait = d.docker(['wait', waiter]);
  await sleep(200);
  assert.equal((await d.docker(['kill', waiter])).code, 0);
  assert.equal((await wait).stdout.trim(), '137');
  assert.equal((await d.docker(['stop', ticker])).code, 0);
  assert.equal((await d.docker(['inspect', '--format', '{{.State.ExitCode}}', ticker])).stdout.trim(), '0');
  assert.equal((await d.docker(['rm', ticker, shortLived, waiter])).code, 0);
});

test('SIGTERM shuts berthd down without stopping containers', async () => {
  const id = (await d.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000'])).stdout.trim();
  const pid = Number((await d.docker(['inspect', '--format', '{{.State.Pid}}', id])).stdout.trim());
  await d.stop();
  assert.equal(process.kill(pid, 0), true);
  await d.restart();
  assert.equal((await d.docker(['inspect', '--format', '{{.State.Status}}', id])).stdout.trim(), 'running');
  assert.equal((await d.docker(['rm', '-f', id])).code, 0);
});
