// HEALTHCHECK through berthd with the real docker CLI: State.Health, ps status and filters, events, timeouts, restart of berthd, stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Health { Status: string; FailingStreak: number; Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }> }

async function health(id: string): Promise<Health | null> {
  return JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .State.Health}}', id])).stdout);
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function run(args: string[]): Promise<string> {
  const r = await ctx.d.docker(['run', '-d', '--network', 'none', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

test('a passing --health-cmd turns the container healthy: inspect, ps, filter and health_status event', async () => {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const id = await run(['--health-cmd', 'echo ok', '--health-interval', '200ms', 'busybox', 'sleep', '300']);
  const cfg = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .Config.Healthcheck}}', id])).stdout);
  assert.deepEqual(cfg.Test, ['CMD-SHELL', 'echo ok']);
  assert.equal(cfg.Interval, 200_000_000);
  await until('healthy', async () => (await health(id))?.Status === 'healthy');
  const h = (await health(id))!;
  assert.equal(h.FailingStreak, 0);
  assert.ok(h.Log.length >= 1 && h.Log.length <= 5);
  assert.equal(h.Log[0].ExitCode, 0);
  assert.equal(h.Log[0].Output, 'ok\n');
  assert.ok(Date.parse(h.Log[0].End) >= Date.parse(h.Log[0].Start));
  const ps = await ctx.d.docker(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}']);
  assert.match(ps.stdout, /^Up .* \(healthy\)\n$/);
  const healthy = await ctx.d.docker(['ps', '-q', '--no-trunc', '--filter', 'health=healthy']);
  assert.ok(healthy.stdout.split('\n').includes(id));
  const unhealthy = await ctx.d.docker(['ps', '-q', '--no-trunc', '--filter', 'health=unhealthy']);
  assert.ok(!unhealthy.stdout.split('\n').includes(id));
  const ev = await ctx.d.docker(['events', '--since', since, '--until', String(Math.ceil(Date.now() / 1000) + 1),
    '--filter', `container=${id}`, '--filter', 'event=health_status', '--format', '{{.Action}}']);
  assert.equal(ev.stdout.trim().split('\n')[0], 'health_status: healthy');
  await ctx.d.docker(['rm', '-f', id]);
});

test('a failing probe turns unhealthy after --health-retries; the log keeps the last 5 results', async () => {
  const id = await run(['--health-cmd', 'echo bad >&2; exit 1', '--health-interval', '100ms', '--health-retries', '2', 'busybox', 'sleep', '300']);
  const ps = await ctx.d.docker(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}']);
  assert.match(ps.stdout, /\((health: starting|unhealthy)\)/);
  await until('unhealthy', async () => (await health(id))?.Status === 'unhealthy');
  await until('six probes', async () => (await health(id))!.FailingStreak >= 6);
  const h = (await health(id))!;
  assert.equal(h.Log.length, 5);
  assert.ok(h.Log.every((l) => l.ExitCode === 1 && l.Output === 'bad\n'));
  const filtered = await ctx.d.docker(['ps', '-q', '--no-trunc', '--filter', 'health=unhealthy']);
  assert.ok(filtered.stdout.split('\n').includes(id));
  await ctx.d.docker(['rm', '-f', id]);
});

test('a probe that outruns --health-timeout fails with Docker\'s message', async () => {
  const id = await run(['--health-cmd', 'sleep 30', '--health-interval', '100ms', '--health-timeout', '300ms', '--health-retries', '1', 'busybox', 'sleep', '300']);
  await until('unhealthy', async () => (await health(id))?.Status === 'unhealthy');
  const h = (await health(id))!;
  assert.equal(h.Log[0].ExitCode, -1);
  assert.equal(h.Log[0].Output, 'Health check exceeded timeout (300ms)');
  await until('three timed-out probes', async () => (await health(id))!.FailingStreak >= 3);
  // Timed-out probes are killed rather than left to pile up: at most the one in flight remains.
  const top = (await ctx.d.docker(['top', id])).stdout;
  assert.ok(top.split('\n').filter((l) => /\ssleep 30$/.test(l.trimEnd())).length <= 1, top);
  await ctx.d.docker(['rm', '-f', id]);
});

test('--start-period failures do not count; --no-healthcheck and no check leave no Health', async () => {
  const starting = await run(['--health-cmd', 'exit 1', '--health-interval', '100ms', '--health-retries', '1', '--health-start-period', '60s',
    '--health-start-interval', '100ms', 'busybox', 'sleep', '300']);
  await until('probes ran', async () => (await health(starting))!.Log.length >= 2);
  const h = (await health(starting))!;
  assert.equal(h.Status, 'starting');
  assert.equal(h.FailingStreak, 0);
  const none = await run(['--no-healthcheck', 'busybox', 'sleep', '300']);
  assert.equal(await health(none), null);
  const plain = await run(['busybox', 'sleep', '300']);
  const ps = await ctx.d.docker(['ps', '-q', '--no-trunc', '--filter', 'health=none']);
  assert.ok(ps.stdout.split('\n').includes(none) && ps.stdout.split('\n').includes(plain));
  assert.ok(!ps.stdout.split('\n').includes(starting));
  const conflict = await ctx.d.docker(['run', '--no-healthcheck', '--health-cmd', 'true', 'busybox']);
  assert.notEqual(conflict.code, 0);
  await ctx.d.docker(['rm', '-f', starting, none, plain]);
});

test('bad healthcheck settings are refused with a 400', async () => {
  const body = (hc: object) => ({ Image: 'busybox', Cmd: ['true'], Healthcheck: hc, HostConfig: { NetworkMode: 'none' } });
  const short = await ctx.d.client.request('POST', '/containers/create', { body: body({ Test: ['CMD', 'true'], Interval: 1000 }) }).catch((e) => e);
  assert.equal(short.statusCode, 400);
  assert.match(short.message, /Interval in Healthcheck cannot be less than 1ms/);
  const negative = await ctx.d.client.request('POST', '/containers/create', { body: body({ Test: ['CMD', 'true'], Retries: -1 }) }).catch((e) => e);
  assert.equal(negative.statusCode, 400);
  assert.match(negative.message, /Retries in Healthcheck cannot be negative/);
  const bad = await ctx.d.client.request('GET', '/containers/json', { query: { filters: JSON.stringify({ health: ['sick'] }) } }).catch((e) => e);
  assert.equal(bad.statusCode, 400);
});

test('health survives a berthd restart and stops with the container', async () => {
  const id = await run(['--health-cmd', 'true', '--health-interval', '100ms', 'busybox', 'sleep', '300']);
  await until('healthy', async () => (await health(id))?.Status === 'healthy');
  await ctx.d.kill9();
  await ctx.d.restart();
  const kept = (await health(id))!;
  assert.equal(kept.Status, 'healthy');
  const lastEnd = kept.Log[kept.Log.length - 1].End;
  await until('probing again', async () => {
    const h = (await health(id))!;
    return h.Log[h.Log.length - 1].End > lastEnd;
  });
  assert.equal((await ctx.d.docker(['stop', '-t', '0', id])).code, 0);
  const stopped = (await health(id))!;
  // Docker reports unhealthy once the monitor has stopped.
  assert.equal(stopped.Status, 'unhealthy');
  await sleep(500);
  assert.equal((await health(id))!.Log.length, stopped.Log.length, 'no probe runs in a stopped container');
  assert.equal((await ctx.d.docker(['start', id])).code, 0);
  assert.ok(['starting', 'healthy'].includes((await health(id))!.Status), 'a start opens the monitor again');
  await ctx.d.docker(['rm', '-f', id]);
});

test('berth run takes the same --health-* flags', async () => {
  const r = await ctx.d.berth(['run', '-d', '--network', 'none', '--health-cmd', 'true', '--health-interval', '100ms', '--health-retries', '4', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const cfg = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .Config.Healthcheck}}', id])).stdout);
  assert.deepEqual([cfg.Test, cfg.Interval, cfg.Retries], [['CMD-SHELL', 'true'], 100_000_000, 4]);
  await until('healthy', async () => (await health(id))?.Status === 'healthy');
  const bad = await ctx.d.berth(['run', '--health-interval', '-1s', 'busybox']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /--health-interval cannot be negative/);
  await ctx.d.docker(['rm', '-f', id]);
});
