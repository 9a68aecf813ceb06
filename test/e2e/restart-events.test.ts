// Restart policies (back-off, RestartCount, start with the daemon) and the event stream, through the docker CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function state(id: string): Promise<{ Status: string; ExitCode: number; Pid: number; Restarting: boolean }> {
  return JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State}}', id])).stdout);
}

async function restartCount(id: string): Promise<number> {
  return Number((await ctx.d.docker(['inspect', '--format', '{{.RestartCount}}', id])).stdout.trim());
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('on-failure:2 restarts a failing container twice, then leaves it exited', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo run; exit 3'])).stdout.trim();
  await until('two restarts', async () => (await restartCount(id)) === 2 && (await state(id)).Status === 'exited');
  await sleep(1000);
  assert.equal(await restartCount(id), 2);
  const s = await state(id);
  assert.equal(s.ExitCode, 3);
  assert.equal(s.Restarting, false);
  assert.equal((await ctx.d.docker(['logs', id])).stdout, 'run\nrun\nrun\n');
  const ok = (await ctx.d.docker(['run', '-d', '--network', 'none', '--restart', 'on-failure', 'busybox', 'true'])).stdout.trim();
  await sleep(800);
  assert.equal(await restartCount(ok), 0, 'a clean exit is not restarted under on-failure');
});

test('always restarts until stopped; stop ends it for good', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.2'])).stdout.trim();
  await until('a restart', async () => (await restartCount(id)) >= 2);
  assert.equal((await ctx.d.docker(['stop', '-t', '1', id])).code, 0);
  const count = await restartCount(id);
  await sleep(1500);
  assert.equal(await restartCount(id), count);
  assert.notEqual((await state(id)).Status, 'running');
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
});

test('bad restart policies are refused', async () => {
  const r = await ctx.d.docker(['create', '--restart', 'sometimes', 'busybox']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /restart policy/);
  // The docker CLI refuses --rm with --restart itself; the daemon must too.
  const err = await ctx.d.client.request('POST', '/containers/create', {
    body: { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none', AutoRemove: true, RestartPolicy: { Name: 'always' } } },
  }).catch((e) => e);
  assert.equal(err.statusCode, 400);
  assert.match(err.message, /can't create 'AutoRemove' container with restart policy/);
});

test('an always container that died while berthd was down is started again', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', '--restart', 'always', 'busybox', 'sleep', '1000'])).stdout.trim();
  const pid = (await state(id)).Pid;
  await ctx.d.kill9();
  process.kill(pid, 'SIGKILL');
  await sleep(500);
  await ctx.d.restart();
  await until('running again', async () => (await state(id)).Status === 'running');
  assert.notEqual((await state(id)).Pid, pid);
  assert.ok((await restartCount(id)) >= 1);
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
});

test('docker events shows create, attach, start, die, destroy in order', async () => {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const r = await ctx.d.docker(['run', '--rm', '--name', 'evented', '--network', 'none', 'busybox', 'true']);
  assert.equal(r.code, 0, r.stderr);
  const untilT = String(Math.ceil(Date.now() / 1000) + 1);
  const ev = await ctx.d.docker(['events', '--since', since, '--until', untilT, '--filter', 'container=evented', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.deepEqual(ev.stdout.trim().split('\n'), [
    'container create evented', 'container attach evented', 'container start evented', 'container die evented', 'container destroy evented',
  ]);
  const img = await ctx.d.docker(['tag', 'busybox', 'evented-tag']);
  assert.equal(img.code, 0);
  const imgEv = await ctx.d.docker(['events', '--since', since, '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'type=image']);
  assert.match(imgEv.stdout, /image tag .*name=evented-tag:latest/);
});

test('docker update --restart gives a container a new restart policy', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'while [ ! -f /tmp/go ]; do sleep 0.1; done; exit 3'])).stdout.trim();
  const up = await ctx.d.docker(['update', '--restart', 'on-failure:1', id]);
  assert.equal(up.code, 0, up.stderr);
  const policy = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .HostConfig.RestartPolicy}}', id])).stdout);
  assert.deepEqual(policy, { Name: 'on-failure', MaximumRetryCount: 1 });
  assert.equal((await ctx.d.docker(['exec', id, 'touch', '/tmp/go'])).code, 0);
  await until('one restart', async () => (await restartCount(id)) === 1);
  const bad = await ctx.d.docker(['update', '--restart', 'sometimes', id]);
  assert.notEqual(bad.code, 0);
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
});
