// docker pause/unpause through berthd: the freezer, Docker's state and errors, exec/stop/kill of a paused container, events, daemon restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useDaemon } from './harness';

const ctx = useDaemon();

async function sleeper(): Promise<string> {
  const r = await ctx.d.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function state(id: string): Promise<{ Status: string; Running: boolean; Paused: boolean; ExitCode: number }> {
  return JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State}}', id])).stdout);
}

/** The cgroup v1 freezer's word on the container (v2: cgroup.freeze). */
function frozen(id: string): boolean {
  try {
    return readFileSync(`/sys/fs/cgroup/freezer/berth/${id}/freezer.state`, 'utf8').trim() === 'FROZEN';
  } catch {
    return readFileSync(`/sys/fs/cgroup/berth/${id}/cgroup.freeze`, 'utf8').trim() === '1';
  }
}

test('pause freezes the container and unpause thaws it, with Docker\'s state and ps status', async () => {
  const id = await sleeper();
  const p = await ctx.d.docker(['pause', id]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.stdout, `${id}\n`);
  assert.equal(frozen(id), true);
  const s = await state(id);
  assert.deepEqual([s.Status, s.Running, s.Paused], ['paused', true, true]);
  const ps = await ctx.d.docker(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}']);
  assert.match(ps.stdout, /^Up .* \(Paused\)\n$/);
  const filtered = await ctx.d.docker(['ps', '-q', '--no-trunc', '--filter', 'status=paused']);
  assert.ok(filtered.stdout.split('\n').includes(id));
  const u = await ctx.d.docker(['unpause', id]);
  assert.equal(u.code, 0, u.stderr);
  assert.equal(frozen(id), false);
  const after = await state(id);
  assert.deepEqual([after.Status, after.Running, after.Paused], ['running', true, false]);
  assert.equal((await ctx.d.docker(['exec', id, 'true'])).code, 0);
  await ctx.d.docker(['rm', '-f', id]);
});

test('pause and unpause refuse with Docker\'s conflicts; exec and start refuse a paused container', async () => {
  const id = await sleeper();
  assert.equal((await ctx.d.docker(['pause', id])).code, 0);
  const again = await ctx.d.docker(['pause', id]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, new RegExp(`Container ${id} is already paused`));
  const exec = await ctx.d.docker(['exec', id, 'true']);
  assert.notEqual(exec.code, 0);
  assert.match(exec.stderr, new RegExp(`Container ${id} is paused, unpause the container before exec`));
  const start = await ctx.d.client.request('POST', `/containers/${id}/start`).catch((e) => e);
  assert.equal(start.statusCode, 409);
  assert.equal((await ctx.d.docker(['unpause', id])).code, 0);
  const notPaused = await ctx.d.docker(['unpause', id]);
  assert.notEqual(notPaused.code, 0);
  assert.match(notPaused.stderr, new RegExp(`Container ${id} is not paused`));
  await ctx.d.docker(['rm', '-f', id]);
  const created = (await ctx.d.docker(['create', '--network', 'none', 'busybox', 'true'])).stdout.trim();
  const notRunning = await ctx.d.client.request('POST', `/containers/${created}/pause`).catch((e) => e);
  assert.equal(notRunning.statusCode, 409);
  assert.match(notRunning.message, new RegExp(`Container ${created} is not running`));
  const missing = await ctx.d.docker(['pause', 'no-such-container']);
  assert.match(missing.stderr, /No such container: no-such-container/);
  await ctx.d.docker(['rm', created]);
});

test('stop, kill and rm -f end a paused container', async () => {
  const r = await ctx.d.docker(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'trap "exit 3" TERM; sleep 300 & wait']);
  const stopped = r.stdout.trim();
  assert.equal((await ctx.d.docker(['pause', stopped])).code, 0);
  const stop = await ctx.d.docker(['stop', '-t', '30', stopped]);
  assert.equal(stop.code, 0, stop.stderr);
  const s = await state(stopped);
  assert.deepEqual([s.Status, s.Running, s.Paused], ['exited', false, false]);
  // The trap ran: SIGTERM reached the thawed container before any SIGKILL.
  assert.equal(s.ExitCode, 3);

  const killed = await sleeper();
  assert.equal((await ctx.d.docker(['pause', killed])).code, 0);
  const kill = await ctx.d.docker(['kill', killed]);
  assert.equal(kill.code, 0, kill.stderr);
  assert.equal((await ctx.d.docker(['wait', killed])).stdout.trim(), '137');

  const removed = await sleeper();
  assert.equal((await ctx.d.docker(['pause', removed])).code, 0);
  assert.equal((await ctx.d.docker(['rm', '-f', removed])).code, 0);
  assert.equal((await ctx.d.docker(['inspect', removed])).code, 1);
  await ctx.d.docker(['rm', '-f', stopped, killed]);
});

test('docker events shows pause and unpause', async () => {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const id = await sleeper();
  await ctx.d.docker(['pause', id]);
  await ctx.d.docker(['unpause', id]);
  const ev = await ctx.d.docker(['events', '--since', since, '--until', String(Math.ceil(Date.now() / 1000) + 1),
    '--filter', `container=${id}`, '--filter', 'event=pause', '--filter', 'event=unpause', '--format', '{{.Action}}']);
  assert.equal(ev.code, 0, ev.stderr);
  assert.deepEqual(ev.stdout.trim().split('\n'), ['pause', 'unpause']);
  await ctx.d.docker(['rm', '-f', id]);
});

test('a paused container stays paused across a berthd restart', async () => {
  const id = await sleeper();
  assert.equal((await ctx.d.docker(['pause', id])).code, 0);
  await ctx.d.kill9();
  await ctx.d.restart();
  const s = await state(id);
  assert.deepEqual([s.Status, s.Running, s.Paused], ['paused', true, true]);
  assert.equal(frozen(id), true);
  assert.equal((await ctx.d.docker(['unpause', id])).code, 0);
  assert.equal((await ctx.d.docker(['exec', id, 'true'])).code, 0);
  await ctx.d.docker(['rm', '-f', id]);
});
