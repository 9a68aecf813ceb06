import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './dockerfile/parser';
import { planStages } from './stages';

const df = parseDockerfile([
  'ARG BASE=busybox', 'ARG TAG',
  'FROM ${BASE}:${TAG:-latest} AS deps', 'RUN a',
  'FROM scratch AS unrelated', 'COPY x /x',
  'FROM deps AS build', 'COPY --from=0 /a /b',
  'FROM busybox AS other', 'COPY --from=build /c /d',
  'FROM busybox', 'RUN last',
].join('\n'));

test('meta ARGs expand FROM, build args override their defaults', () => {
  assert.equal(planStages(df, {}).stages[0]!.base, 'busybox:latest');
  assert.equal(planStages(df, { BASE: 'alpine', TAG: '3' }).stages[0]!.base, 'alpine:3');
});

test('the target pulls in only the stages it builds on or copies from', () => {
  assert.deepEqual(planStages(df, {}).needed, [4]);
  assert.deepEqual(planStages(df, {}, 'other').needed, [0, 2, 3]);
  assert.deepEqual(planStages(df, {}, 'BUILD').needed, [0, 2]);
  assert.throws(() => planStages(df, {}, 'nope'), /failed to reach build target nope/);
});

test('stage names are checked and instructions before FROM must be ARG', () => {
  assert.throws(() => planStages(parseDockerfile('FROM a AS x\nFROM b AS x'), {}), /line 2: duplicate name x/);
  assert.throws(() => planStages(parseDockerfile('FROM a AS 1x'), {}), /invalid name for build stage/);
  assert.throws(() => planStages(parseDockerfile('RUN x\nFROM a'), {}), /line 1: no build stage in current context/);
});

test('BuildKit\'s automatic platform args are there for FROM lines and declared ARGs', () => {
  const plan = planStages(parseDockerfile('FROM --platform=$BUILDPLATFORM busybox:$TARGETOS-$TARGETARCH\nARG TARGETARCH'), {});
  assert.match(plan.stages[0]!.base, /^busybox:linux-[a-z0-9]+$/);
  assert.match(plan.stages[0]!.platform!, /^linux\/[a-z0-9]+$/);
  assert.equal(plan.metaArgs.get('TARGETARCH'), plan.stages[0]!.base.split('-')[1]);
});
