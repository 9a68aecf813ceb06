import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from './dockerfile/parser';
import { configStep, parseDuration } from './config-step';
import type { StageState } from './state';

const state = (over: Partial<StageState> = {}): StageState => ({ run: { Env: ['PATH=/bin', 'X=env'] }, cmdSet: false, args: new Map([['X', 'arg'], ['Y', 'y']]), escape: '\\', ...over });
const one = (line: string) => parseDockerfile(line).instructions[0]!;

test('ENV replaces or appends, expands with ENV winning over ARG', () => {
  const c = configStep(state(), one('ENV X=${X}2 Z="$Y z"'));
  assert.deepEqual(c.run.Env, ['PATH=/bin', 'X=env2', 'Z=y z']);
  assert.equal(c.comment, 'ENV X=env2 Z=y z');
});

test('CMD/ENTRYPOINT shell forms use SHELL; ENTRYPOINT clears an inherited CMD only', () => {
  const s = state({ run: { Cmd: ['sh'], Shell: ['/bin/bash', '-c'] } });
  const e = configStep(s, one('ENTRYPOINT echo hi'));
  assert.deepEqual(e.run.Entrypoint, ['/bin/bash', '-c', 'echo hi']);
  assert.equal(e.run.Cmd, null);
  assert.deepEqual(configStep({ ...s, cmdSet: true }, one('ENTRYPOINT ["x"]')).run.Cmd, ['sh']);
  assert.equal(configStep(s, one('CMD ["a", "b"]')).comment, 'CMD ["a" "b"]');
});

test('EXPOSE ranges and protocols, VOLUME lists, bad values name the line', () => {
  assert.deepEqual(configStep(state(), one('EXPOSE 80 53/udp 1000-1001')).run.ExposedPorts, { '80/tcp': {}, '53/udp': {}, '1000/tcp': {}, '1001/tcp': {} });
  assert.deepEqual(configStep(state(), one('VOLUME ["/a", "/b"]')).run.Volumes, { '/a': {}, '/b': {} });
  assert.throws(() => configStep(state(), parseDockerfile('FROM a\nEXPOSE nope').instructions[1]!), /line 2: invalid containerPort: nope/);
  assert.throws(() => configStep(state(), one('USER --flag=1 x')), /Unknown flag: flag/);
});

test('HEALTHCHECK flags become Docker durations; NONE disables', () => {
  const h = configStep(state(), one('HEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD curl -f x')).run.Healthcheck;
  assert.deepEqual(h, { Test: ['CMD-SHELL', 'curl -f x'], Interval: 90e9, Timeout: 5e8, Retries: 3 });
  assert.deepEqual(configStep(state(), one('HEALTHCHECK NONE')).run.Healthcheck, { Test: ['NONE'] });
  assert.throws(() => parseDuration('5 s', 1), /invalid duration/);
});
