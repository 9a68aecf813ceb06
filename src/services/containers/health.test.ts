import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerContext, type ContainerDeps } from './context';
import { HealthMonitor, type HealthProbe } from './health';
import { newState, setRunning, type ContainerRecord } from './record';

/** A context whose records are saved nowhere and whose events are collected. */
function fakeContext(): { ctx: ContainerContext; events: string[] } {
  const events: string[] = [];
  const deps = {
    metadata: { put: async () => undefined },
    events: { publish: (_t: string, action: string) => events.push(action) },
    log: () => undefined,
  } as unknown as ContainerDeps;
  return { ctx: new ContainerContext(deps), events };
}

function record(healthcheck: object): ContainerRecord {
  return {
    id: 'c'.repeat(64), name: '/probed', created: new Date().toISOString(), path: 'sleep', args: [], image: 'sha256:x',
    config: { Labels: {}, Image: 'busybox', Healthcheck: healthcheck } as unknown as ContainerRecord['config'],
    hostConfig: {}, state: newState(), restartCount: 0, mounts: [], logPath: '', rootfsPath: '', hostsPath: '', hostnamePath: '',
    resolvConfPath: '', networkSettings: {},
  };
}

/** The monitor's timers are unref'd (they must not hold berthd up); hold the test's event loop while waiting. */
async function held(p: Promise<void>): Promise<void> {
  const keep = setInterval(() => undefined, 1000);
  try {
    await p;
  } finally {
    clearInterval(keep);
  }
}

/** A probe answering the scripted exit codes in turn; the call after the last resolves `drained` and never answers, so the loop stands still. */
function scriptedProbe(codes: number[]): HealthProbe & { drained: Promise<void>; calls: string[][] } {
  let done!: () => void;
  const calls: string[][] = [];
  return {
    calls,
    drained: new Promise((r) => { done = r; }),
    async run(_id, cmd) {
      calls.push(cmd);
      const code = codes.shift();
      if (code === undefined) {
        done();
        return new Promise(() => undefined);
      }
      return { exitCode: code, output: `exit ${code}\n` };
    },
  };
}

test('a start opens the loop; failures past the retries turn unhealthy, a success healthy, each change an event', async () => {
  const { ctx, events } = fakeContext();
  const monitor = new HealthMonitor(ctx);
  const probe = scriptedProbe([1, 1, 0, 1, 1]);
  monitor.setProbe(probe);
  const r = record({ Test: ['CMD-SHELL', 'check'], Interval: 1e6, Retries: 2 });
  ctx.records.set(r.id, r);
  setRunning(r, 42);
  ctx.emit(r, 'start');
  assert.equal(r.state.Health?.Status, 'starting');
  await held(probe.drained);
  monitor.close();
  assert.deepEqual(probe.calls[0], ['/bin/sh', '-c', 'check']);
  assert.deepEqual(events.filter((e) => e.startsWith('health_status')), ['health_status: unhealthy', 'health_status: healthy', 'health_status: unhealthy']);
  assert.equal(r.state.Health?.FailingStreak, 2);
  assert.deepEqual(r.state.Health?.Log.map((l) => l.ExitCode), [1, 1, 0, 1, 1]);
});

test('pause and death close the loop and report unhealthy; unpause reopens it; no probe without a healthcheck', async () => {
  const { ctx } = fakeContext();
  const monitor = new HealthMonitor(ctx);
  const probe = scriptedProbe([0]);
  monitor.setProbe(probe);
  const r = record({ Test: ['CMD', 'true'], Interval: 1e6 });
  ctx.records.set(r.id, r);
  setRunning(r, 42);
  ctx.emit(r, 'start');
  await held(probe.drained);
  Object.assign(r.state, { Paused: true, Status: 'paused' });
  ctx.emit(r, 'pause');
  assert.equal(r.state.Health?.Status, 'unhealthy');
  Object.assign(r.state, { Paused: false, Status: 'running' });
  const again = scriptedProbe([0]);
  monitor.setProbe(again);
  ctx.emit(r, 'unpause');
  await held(again.drained);
  assert.equal(r.state.Health?.Status, 'healthy');
  Object.assign(r.state, { Running: false, Status: 'exited' });
  ctx.emit(r, 'die');
  assert.equal(r.state.Health?.Status, 'unhealthy');
  monitor.close();

  const none = record({ Test: ['NONE'] });
  setRunning(none, 43);
  ctx.emit(none, 'start');
  assert.equal(none.state.Health, undefined);
});
