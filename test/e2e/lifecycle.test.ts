// Container lifecycle through the docker CLI: stop, kill, restart, logs, ps, inspect, rename, top, rm, prune.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runDetached(args: string[]): Promise<string> {
  const r = await ctx.d.docker(['run', '-d', '--network', 'none', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

test('stop sends SIGTERM to a container that traps it and it exits cleanly', async () => {
  const id = await runDetached(['busybox', 'sh', '-c', 'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 0.1; done']);
  await sleep(300);
  const t0 = Date.now();
  const stop = await ctx.d.docker(['stop', id]);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(stop.stdout.trim(), id);
  assert.ok(Date.now() - t0 < 5000, 'stopped well before the timeout');
  const state = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State}}', id])).stdout);
  assert.equal(state.Status, 'exited');
  assert.equal(state.ExitCode, 0);
  assert.equal(state.Running, false);
  assert.match(state.FinishedAt, /^\d{4}-/);
  assert.match((await ctx.d.docker(['logs', id])).stdout, /ready\ngot TERM\n/);
});

test('a container ignoring SIGTERM is killed after -t with 137', async () => {
  const id = await runDetached(['busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
  await sleep(200);
  const t0 = Date.now();
  const stop = await ctx.d.docker(['stop', '-t', '1', id]);
  const took = Date.now() - t0;
  assert.equal(stop.code, 0, stop.stderr);
  assert.ok(took >= 900, `waited the timeout (${took} ms)`);
  assert.equal((await ctx.d.docker(['inspect', '--format', '{{.State.ExitCode}}', id])).stdout.trim(), '137');
  const wait = await ctx.d.docker(['wait', id]);
  assert.equal(wait.stdout.trim(), '137');
});

test('the image\'s stop signal is used by stop', async () => {
  const id = await runDetached(['--stop-signal', 'USR1', 'busybox', 'sh', '-c', 'trap "echo got USR1; exit 3" USR1; while true; do sleep 0.1; done']);
  await sleep(200);
  await ctx.d.docker(['stop', id]);
  assert.equal((await ctx.d.docker(['inspect', '--format', '{{.State.ExitCode}}', id])).stdout.trim(), '3');
});

test('kill sends any signal; kill on a stopped container is a 409', async () => {
  const id = await runDetached(['busybox', 'sh', '-c', 'trap "echo hup" HUP; while true; do sleep 0.1; done']);
  await sleep(200);
  assert.equal((await ctx.d.docker(['kill', '-s', 'HUP', id])).code, 0);
  await sleep(300);
  assert.match((await ctx.d.docker(['logs', id])).stdout, /hup/);
  assert.equal((await ctx.d.docker(['kill', id])).code, 0);
  assert.equal((await ctx.d.docker(['wait', id])).stdout.trim(), '137');
  const again = await ctx.d.docker(['kill', id]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /is not running/);
  const bad = await ctx.d.client.request('POST', `/containers/${id}/kill`, { query: { signal: 'NOPE' } }).catch((e) => e);
  assert.equal(bad.statusCode, 409);
});

test('logs: tail, timestamps, stdout/stderr split and follow', async () => {
  const id = await runDetached(['busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2; sleep 1; echo late']);
  await sleep(400);
  // --tail counts lines of both streams together, as Docker's does.
  const tail = await ctx.d.docker(['logs', '--tail', '2', id]);
  assert.equal(tail.stdout, 'line5\n');
  assert.equal(tail.stderr, 'oops\n');
  const ts = await ctx.d.docker(['logs', '-t', '--tail', '2', id]);
  assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line5\n$/);
  const follow = await ctx.d.docker(['logs', '-f', id]);
  assert.equal(follow.code, 0);
  assert.equal(follow.stdout, 'line1\nline2\nline3\nline4\nline5\nlate\n');
  const future = await ctx.d.docker(['logs', '--since', String(Math.floor(Date.now() / 1000) + 100), id]);
  assert.equal(future.stdout, '');
});

test('restart runs the container again', async () => {
  const id = await runDetached(['busybox', 'sh', '-c', 'echo start; sleep 100']);
  await sleep(200);
  const pid1 = (await ctx.d.docker(['inspect', '--format', '{{.State.Pid}}', id])).stdout.trim();
  const r = await ctx.d.docker(['restart', '-t', '0', id]);
  assert.equal(r.code, 0, r.stderr);
  const state = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State}}', id])).stdout);
  assert.equal(state.Status, 'running');
  assert.notEqual(String(state.Pid), pid1);
  await sleep(200);
  assert.equal((await ctx.d.docker(['logs', id])).stdout, 'start\nstart\n');
  await ctx.d.docker(['rm', '-f', id]);
});

test('ps lists with filters; inspect has Docker\'s shape', async () => {
  const up = await runDetached(['--name', 'ps-up', '--label', 'team=a', 'busybox', 'sleep', '100']);
  await ctx.d.docker(['run', '--name', 'ps-done', '--network', 'none', '--label', 'team=b', 'busybox', 'sh', '-c', 'exit 7']);
  const ps = await ctx.d.docker(['ps']);
  assert.match(ps.stdout.split('\n')[0], /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
  assert.match(ps.stdout, /ps-up/);
  assert.doesNotMatch(ps.stdout, /ps-done/);
  const all = await ctx.d.docker(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
  assert.match(all.stdout, /ps-done Exited \(7\) /);
  assert.match(all.stdout, /ps-up Up /);
  const q = (args: string[]) => ctx.d.docker(['ps', '-a', '-q', '--no-trunc', ...args]).then((r) => r.stdout.trim().split('\n').filter(Boolean));
  assert.deepEqual(await q(['--filter', 'status=running', '--filter', 'name=ps-up']), [up]);
  assert.equal((await q(['--filter', 'label=team=b'])).length, 1);
  assert.equal((await q(['--filter', 'exited=7'])).length, 1);
  assert.ok((await q(['--filter', 'ancestor=busybox'])).includes(up));
  assert.deepEqual(await q(['--filter', `id=${up.slice(0, 10)}`]), [up]);
  const info = JSON.parse((await ctx.d.docker(['inspect', up])).stdout)[0];
  for (const k of ['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'Name', 'Config', 'HostConfig', 'Mounts', 'NetworkSettings']) assert.ok(k in info, k);
  for (const k of ['Status', 'Running', 'Pid', 'ExitCode', 'Error', 'OOMKilled', 'StartedAt', 'FinishedAt']) assert.ok(k in info.State, k);
  assert.equal(info.Name, '/ps-up');
  assert.equal(info.Path, 'sleep');
  assert.deepEqual(info.Args, ['100']);
  assert.ok(info.State.Pid > 0);
  assert.equal(info.Config.Labels.team, 'a');
  assert.equal(info.HostConfig.NetworkMode, 'none');
  const top = await ctx.d.docker(['top', up]);
  assert.match(top.stdout, /sleep 100/);
  assert.equal((await ctx.d.docker(['rename', 'ps-up', 'ps-renamed'])).code, 0);
  assert.equal((await ctx.d.docker(['inspect', '--format', '{{.Name}}', up])).stdout.trim(), '/ps-renamed');
  const rmRunning = await ctx.d.docker(['rm', up]);
  assert.notEqual(rmRunning.code, 0);
  assert.match(rmRunning.stderr, /container is running/);
  assert.equal((await ctx.d.docker(['rm', '-f', up])).code, 0);
  const gone = await ctx.d.docker(['inspect', up]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such (container|object)/);
});

test('container prune removes stopped containers only', async () => {
  const keep = await runDetached(['busybox', 'sleep', '100']);
  await ctx.d.docker(['run', '--network', 'none', 'busybox', 'true']);
  const prune = await ctx.d.docker(['container', 'prune', '-f']);
  assert.equal(prune.code, 0, prune.stderr);
  assert.match(prune.stdout, /Total reclaimed space/);
  const left = (await ctx.d.docker(['ps', '-aq', '--no-trunc'])).stdout.trim().split('\n');
  assert.deepEqual(left, [keep]);
  await ctx.d.docker(['rm', '-f', keep]);
});

test('attach to a running container streams its output', async () => {
  const id = await runDetached(['busybox', 'sh', '-c', 'sleep 0.5; echo attached-output; sleep 0.3; exit 5']);
  const r = await ctx.d.docker(['attach', id]);
  assert.match(r.stdout, /attached-output/);
  assert.equal(r.code, 5);
});

test('--init runs tini as PID 1 in front of the command', async () => {
  const r = await ctx.d.docker(['run', '--rm', '--init', '--network', 'none', 'busybox', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo $$']);
  assert.equal(r.code, 0, r.stderr);
  const [pid1, self] = r.stdout.trim().split('\n');
  assert.match(pid1, /^\/sbin\/docker-init -- sh -c/);
  assert.notEqual(self.trim(), '1');
});
