import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheFromSources, matchHistory, restoredConfig, type StepProbe } from './cache-from';
import type { Image, ImageConfig, ImageService } from '../services/images';
import type { HistoryEntry } from '../services/images/types';

const base: HistoryEntry = { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:b in / ' };
const run: HistoryEntry = { created: '2024-01-02T00:00:00Z', created_by: '|1 A=1 /bin/sh -c make' };
const env: HistoryEntry = { created: '2024-01-03T00:00:00Z', created_by: '/bin/sh -c #(nop)  ENV X=1', empty_layer: true };
const copy: HistoryEntry = { created: '2024-01-04T00:00:00Z', created_by: '/bin/sh -c #(nop) COPY file:abc in /app ' };

const cfg = (history: HistoryEntry[], diffs: string[], config = {}): ImageConfig => ({
  architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: diffs }, history,
});
const image = (config: ImageConfig, id = 'sha256:p'): Image => ({ record: { id, size: 0 }, config });

/** A source built elsewhere: base layer, RUN layer, ENV, COPY layer. */
const source = cfg([base, run, env, copy], ['sha256:l0', 'sha256:l1', 'sha256:l3'], { Env: ['X=1'], Cmd: ['sh'] });
const parent = image(cfg([base], ['sha256:l0'], { Cmd: ['sh'] }));
const probe = (over: Partial<StepProbe> = {}): StepProbe => ({ parent, createdBy: run.created_by!, makesLayer: true, config: { Cmd: ['sh'] }, ...over });

test('a step matches the source entry right after the parent history, with the layer at the same place', () => {
  const m = matchHistory(source, probe());
  assert.deepEqual(m, { entry: run, layer: 'sha256:l1', last: false });
  const restored = restoredConfig(source, probe(), m!);
  assert.deepEqual(restored.rootfs.diff_ids, ['sha256:l0', 'sha256:l1']);
  assert.deepEqual(restored.history, [base, run]);
  assert.equal(restored.created, run.created);
  assert.deepEqual(restored.config, { Cmd: ['sh'] }, 'the config is the step\'s own, never the source\'s');
});

test('a different command, other build args or a changed COPY digest is no match', () => {
  assert.equal(matchHistory(source, probe({ createdBy: '/bin/sh -c make' })), undefined);
  assert.equal(matchHistory(source, probe({ createdBy: '|1 A=2 /bin/sh -c make' })), undefined);
  const afterEnv = image(cfg([base, run, env], ['sha256:l0', 'sha256:l1']));
  assert.ok(matchHistory(source, probe({ parent: afterEnv, createdBy: copy.created_by! })));
  assert.equal(matchHistory(source, probe({ parent: afterEnv, createdBy: '/bin/sh -c #(nop) COPY file:abd in /app ' })), undefined);
});

test('the parent must be the source prefix exactly: history with timestamps, layers, platform', () => {
  const otherTime = image(cfg([{ ...base, created: '2024-01-01T00:00:01Z' }], ['sha256:l0']));
  assert.equal(matchHistory(source, probe({ parent: otherTime })), undefined);
  const otherLayer = image(cfg([base], ['sha256:zz']));
  assert.equal(matchHistory(source, probe({ parent: otherLayer })), undefined);
  const noHistory = image(cfg([], ['sha256:l0']));
  assert.equal(matchHistory(source, probe({ parent: noHistory, createdBy: base.created_by! })), undefined, 'layers its history does not account for');
  const arm = image({ ...cfg([base], ['sha256:l0']), architecture: 'arm64' });
  assert.equal(matchHistory(source, probe({ parent: arm })), undefined);
});

test('a config-only step never matches an entry that made a layer; a layer step may match one that made none', () => {
  const afterRun = image(cfg([base, run], ['sha256:l0', 'sha256:l1']));
  const emptyRun = matchHistory(source, probe({ parent: afterRun, createdBy: env.created_by!, makesLayer: true }));
  assert.deepEqual(emptyRun, { entry: env, last: false }, 'as Docker records a RUN that changed nothing');
  const m = matchHistory(source, probe({ parent: afterRun, createdBy: env.created_by!, makesLayer: false }));
  assert.deepEqual(m, { entry: env, last: false });
  assert.deepEqual(restoredConfig(source, probe({ parent: afterRun }), m!).rootfs.diff_ids, ['sha256:l0', 'sha256:l1']);
  assert.equal(matchHistory(source, probe({ createdBy: run.created_by!, makesLayer: false })), undefined);
});

test('the last entry is marked so the source itself can be the result; FROM scratch matches from the first entry', () => {
  const beforeCopy = image(cfg([base, run, env], ['sha256:l0', 'sha256:l1']));
  assert.equal(matchHistory(source, probe({ parent: beforeCopy, createdBy: copy.created_by! }))?.last, true);
  const first = matchHistory(source, probe({ parent: undefined, createdBy: base.created_by! }));
  assert.deepEqual(first, { entry: base, layer: 'sha256:l0', last: false });
  assert.equal(matchHistory(source, probe({ parent: image(source) })), undefined, 'nothing after the last entry');
});

/** Just what CacheFromSources uses of the image service, recording what it creates. */
function fakeImages(list: Image[]) {
  const created: ImageConfig[] = [];
  const parents = new Map<string, string>();
  const images = {
    get: async (ref: string) => list.find((i) => i.record.id === ref) ?? Promise.reject(new Error(`No such image: ${ref}`)),
    createImage: async (config: ImageConfig) => {
      created.push(config);
      return `sha256:restored${created.length}`;
    },
    adoptParent: async (id: string, parent: string) => void parents.set(id, parent),
  };
  return { images: images as unknown as ImageService, created, parents };
}

test('the last step is the source itself when its config is the step\'s (and the source gets the parent), else a restored image', async () => {
  const src = image(source, 'sha256:src');
  const beforeCopy = image(cfg([base, run, env], ['sha256:l0', 'sha256:l1']), 'sha256:p3');
  const fake = fakeImages([src]);
  const sources = await CacheFromSources.load(fake.images, ['sha256:src', 'missing']);
  const step = probe({ parent: beforeCopy, createdBy: copy.created_by!, config: { Env: ['X=1'], Cmd: ['sh'] } });
  assert.equal(await sources.match(step), 'sha256:src');
  assert.equal(fake.parents.get('sha256:src'), 'sha256:p3');
  assert.equal(await sources.match({ ...step, config: { Env: ['X=1'], Cmd: ['other'] } }), 'sha256:restored1');
  assert.deepEqual(fake.created[0]!.config, { Env: ['X=1'], Cmd: ['other'] });
});

test('after a first match the stage is bound to that source; a new stage may match any again', async () => {
  const a = image(source, 'sha256:a');
  const other = image(cfg([base, { ...run, created_by: '/bin/sh -c other' }], ['sha256:l0', 'sha256:lx']), 'sha256:b');
  const fake = fakeImages([a, other]);
  const sources = await CacheFromSources.load(fake.images, ['sha256:a', 'sha256:b']);
  assert.ok(await sources.match(probe()), 'the RUN is in a');
  assert.equal(await sources.match(probe({ createdBy: '/bin/sh -c other' })), undefined, 'b is out of reach in this stage');
  sources.reset();
  assert.ok(await sources.match(probe({ createdBy: '/bin/sh -c other' })));
});
