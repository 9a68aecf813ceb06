import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from './event-bus';

test('subscribers get past events from since, then live ones, filtered', async () => {
  const bus = new EventBus();
  bus.publish('container', 'create', 'c1', { name: 'web', image: 'busybox' });
  bus.publish('image', 'tag', 'sha256:x', { name: 'busybox:1' });
  const sub = bus.subscribe({ since: 0, filters: { type: ['container'] } });
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of sub) {
      seen.push(e.Action);
      if (seen.length === 3) sub.close();
    }
  })();
  bus.publish('container', 'start', 'c1', { name: 'web' });
  bus.publish('network', 'connect', 'n1');
  bus.publish('container', 'die', 'c1', { name: 'web', exitCode: '0' });
  await done;
  assert.deepEqual(seen, ['create', 'start', 'die']);
});

test('until in the past replays history and ends; unknown filters are refused', async () => {
  const bus = new EventBus();
  bus.publish('container', 'create', 'c1', { name: 'a', team: 'x' });
  bus.publish('container', 'create', 'c2', { name: 'b' });
  const out = [];
  for await (const e of bus.subscribe({ since: 0, until: (Date.now() + 5) * 1e6, filters: { label: ['team=x'] } })) out.push(e.Actor.ID);
  assert.deepEqual(out, ['c1']);
  assert.throws(() => bus.subscribe({ filters: { bogus: ['1'] } }), /invalid filter/);
});

test('without since only live events arrive', async () => {
  const bus = new EventBus();
  bus.publish('container', 'create', 'old');
  const sub = bus.subscribe({ filters: {} });
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of sub) {
      seen.push(e.Actor.ID);
      sub.close();
    }
  })();
  bus.publish('container', 'create', 'new');
  await done;
  assert.deepEqual(seen, ['new']);
});
