// The `docker cp` figures of `make bench`: a 200 MB file into and out of a container, beside plain cp and dockerd.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { run, DOCKER, type TestDaemon } from '../test/e2e/harness';

const SIZE_MB = 200;
const CP_RUNS = Number(process.env.BENCH_CP_RUNS ?? 3);

type Rows = Array<[string, string]>;
type Cli = (args: string[]) => Promise<string>;

/** Seconds taken by `fn`. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function must(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(cmd, args, { env, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A file of incompressible bytes, written in 4 MiB chunks. */
function makeFile(file: string, mb: number): void {
  const fd = openSync(file, 'w');
  const chunk = randomBytes(4 << 20);
  for (let i = 0; i < mb / 4; i++) writeSync(fd, chunk);
  closeSync(fd);
}

export interface CpTimes {
  floor: number;
  into: number;
  out: number;
}

const mbps = (s: number) => (SIZE_MB / s).toFixed(1);

/** A running busybox behind a docker-compatible CLI, for copies in and out. */
interface CpTarget {
  cli: Cli;
  id: string;
  /** The engine's socket, for the same copies with curl (no CLI): the engine's own share. */
  socket?: string;
}

async function startTarget(cli: Cli, socket?: string): Promise<CpTarget> {
  const id = (await cli(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'])).trim();
  return { cli, id, socket };
}

/** One copy in and one out through the CLI (and, with a socket, through curl of a prepared tar); seconds. */
async function cpRound(t: CpTarget, src: string, srcTar: string | undefined, dir: string): Promise<Record<string, number>> {
  const outFile = path.join(dir, 'cp-out');
  rmSync(outFile, { force: true });
  const times: Record<string, number> = {};
  times.into = await timed(() => t.cli(['cp', src, `${t.id}:/tmp/big`]));
  times.out = await timed(() => t.cli(['cp', `${t.id}:/tmp/big`, outFile]));
  rmSync(outFile, { force: true });
  if (t.socket && srcTar) {
    const url = (q: string) => `http://localhost/containers/${t.id}/archive?path=${q}`;
    times.curlInto = await timed(() => must('curl', ['-sfS', '--unix-socket', t.socket!, '-X', 'PUT', '-H', 'Content-Type: application/x-tar', '-T', srcTar, url('/tmp')]));
    times.curlOut = await timed(() => must('curl', ['-sfS', '--unix-socket', t.socket!, '-o', outFile, url('/tmp/big')]));
    rmSync(outFile, { force: true });
  }
  return times;
}

/** Medians of `runs` rounds of `round`. */
async function medians(runs: number, round: () => Promise<Record<string, number>>): Promise<Record<string, number>> {
  const all: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const [k, v] of Object.entries(await round())) (all[k] ??= []).push(v);
  }
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, median(v)]));
}

async function floorTime(src: string, dir: string): Promise<number> {
  const copy = path.join(dir, 'cp-plain');
  rmSync(copy, { force: true });
  const s = await timed(() => must('cp', [src, copy]));
  rmSync(copy, { force: true });
  return s;
}

function daemonCli(d: TestDaemon, tool: 'docker' | 'berth'): Cli {
  return (args) => d[tool](args, { timeoutMs: 300_000 }).then((r) => {
    if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')} on berthd: ${r.stderr}`);
    return r.stdout;
  });
}

const BERTH_BIN = path.resolve(__dirname, '../../bin/berth');

/** Our berth CLI on berthd with extra environment (BERTH_CP_FASTCOPY=required, or BERTH_CP_NO_FASTCOPY=1 for the tar path). */
function berthCli(d: TestDaemon, extra: NodeJS.ProcessEnv): Cli {
  return (args) => must(BERTH_BIN, args, { ...process.env, BERTH_HOST: d.host, ...extra });
}

function berthRows(t: Record<string, number>): Rows {
  const rows: Rows = [
    [`plain cp of a ${SIZE_MB} MB file on the same disk, MB/s`, mbps(t.floor)],
    [`docker cp ${SIZE_MB} MB into a container on berthd, MB/s`, mbps(t.into)],
    [`docker cp ${SIZE_MB} MB out of a container on berthd, MB/s`, mbps(t.out)],
  ];
  if (t.curlInto !== undefined) {
    rows.push([`curl PUT of a ${SIZE_MB} MB tar into a container on berthd (no CLI), MB/s`, mbps(t.curlInto)]);
    rows.push([`curl GET of a ${SIZE_MB} MB tar out of a container on berthd (no CLI), MB/s`, mbps(t.curlOut)]);
  }
  if (t.berthInto !== undefined) {
    rows.push([`berth cp ${SIZE_MB} MB into a container, MB/s`, mbps(t.berthInto)]);
    rows.push([`berth cp ${SIZE_MB} MB out of a container, MB/s`, mbps(t.berthOut)]);
  }
  if (t.berthTarInto !== undefined) {
    rows.push([`berth cp ${SIZE_MB} MB into a container, tar path (BERTH_CP_NO_FASTCOPY=1), MB/s`, mbps(t.berthTarInto)]);
    rows.push([`berth cp ${SIZE_MB} MB out of a container, tar path (BERTH_CP_NO_FASTCOPY=1), MB/s`, mbps(t.berthTarOut)]);
  }
  rows.push(['docker cp into berthd / plain cp (time, target ≤ 2)', (t.into / t.floor).toFixed(2)]);
  rows.push(['docker cp out of berthd / plain cp (time, target ≤ 2)', (t.out / t.floor).toFixed(2)]);
  if (t.berthInto !== undefined) {
    rows.push(['berth cp into / plain cp (time, target ≤ 2)', (t.berthInto / t.floor).toFixed(2)]);
    rows.push(['berth cp out / plain cp (time, target ≤ 2)', (t.berthOut / t.floor).toFixed(2)]);
  }
  return rows;
}

function dockerdRows(berth: CpTimes, t: Record<string, number>): Rows {
  const rows: Rows = [
    [`docker cp ${SIZE_MB} MB into a container on dockerd, MB/s`, mbps(t.into)],
    [`docker cp ${SIZE_MB} MB out of a container on dockerd, MB/s`, mbps(t.out)],
  ];
  if (t.curlInto !== undefined) {
    rows.push([`curl PUT of a ${SIZE_MB} MB tar into a container on dockerd (no CLI), MB/s`, mbps(t.curlInto)]);
    rows.push([`curl GET of a ${SIZE_MB} MB tar out of a container on dockerd (no CLI), MB/s`, mbps(t.curlOut)]);
  }
  rows.push(['cp into: berthd / dockerd (time, target ≤ 0.33)', (berth.into / t.into).toFixed(2)]);
  rows.push(['cp out: berthd / dockerd (time, target ≤ 0.33)', (berth.out / t.out).toFixed(2)]);
  return rows;
}

/** berthd's figures beside a plain cp of the same file on the same disk. */
export async function cpBench(d: TestDaemon, dir: string): Promise<{ rows: Rows; times: CpTimes; src: string }> {
  const src = path.join(dir, 'cp-200mb');
  makeFile(src, SIZE_MB);
  const docker = await startTarget(daemonCli(d, 'docker'));
  const berth = await startTarget(daemonCli(d, 'berth'));
  try {
    const t = await medians(CP_RUNS, async () => {
      const floor = await floorTime(src, dir);
      const viaDocker = await cpRound(docker, src, undefined, dir);
      const viaBerth = await cpRound(berth, src, undefined, dir);
      return { floor, ...viaDocker, berthInto: viaBerth.into, berthOut: viaBerth.out };
    });
    return { rows: berthRows(t), times: { floor: t.floor, into: t.into, out: t.out }, src };
  } finally {
    await d.berth(['rm', '-f', docker.id, berth.id]);
  }
}

/** The same copies through the same CLI against a dockerd (started by the caller), as ratios of time. */
export async function cpBenchDockerd(env: NodeJS.ProcessEnv, dir: string, berth: { times: CpTimes; src: string }): Promise<Rows> {
  const t = await startTarget((args) => must(DOCKER, args, env));
  try {
    return dockerdRows(berth.times, await medians(CP_RUNS, () => cpRound(t, berth.src, undefined, dir)));
  } finally {
    await must(DOCKER, ['rm', '-f', t.id], env).catch(() => undefined);
  }
}

const prefixed = (p: string, t: Record<string, number>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [p + k, v]));

/**
 * Only the cp figures (bench/cp-main.ts): each round copies with plain cp,
 * the docker CLI on berthd, curl on berthd, then the same on dockerd (when
 * `dockerd` is given), so all of them meet the same machine load.
 */
export async function cpBenchInterleaved(d: TestDaemon, dir: string, dockerd?: { env: NodeJS.ProcessEnv; socket: string }): Promise<Rows> {
  const src = path.join(dir, 'cp-200mb');
  makeFile(src, SIZE_MB);
  const srcTar = `${src}.tar`;
  // What `docker cp src c:/tmp/big` sends: one entry named `big`.
  await must('tar', ['-cf', srcTar, '--transform', 's/cp-200mb/big/', '-C', dir, 'cp-200mb']);
  const onBerth = await startTarget(daemonCli(d, 'docker'), d.socket);
  const onDockerd = dockerd ? await startTarget((args) => must(DOCKER, args, dockerd.env), dockerd.socket) : undefined;
  try {
    const all = await medians(CP_RUNS, async () => {
      const floor = await floorTime(src, dir);
      const rb = await cpRound(onBerth, src, srcTar, dir);
      const fast = await cpRound({ cli: berthCli(d, { BERTH_CP_FASTCOPY: 'required' }), id: onBerth.id }, src, undefined, dir);
      const tar = await cpRound({ cli: berthCli(d, { BERTH_CP_NO_FASTCOPY: '1' }), id: onBerth.id }, src, undefined, dir);
      const rk = onDockerd ? await cpRound(onDockerd, src, srcTar, dir) : {};
      return {
        floor, ...prefixed('b.', { ...rb, berthInto: fast.into, berthOut: fast.out, berthTarInto: tar.into, berthTarOut: tar.out }), ...prefixed('k.', rk),
      };
    });
    const pick = (prefix: string): Record<string, number> => Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith(prefix)).map(([key, v]) => [key.slice(prefix.length), v]));
    const berth: Record<string, number> = { floor: all.floor, ...pick('b.') };
    const rows = berthRows(berth);
    if (onDockerd) rows.push(...dockerdRows({ floor: all.floor, into: berth.into, out: berth.out }, pick('k.')));
    return rows;
  } finally {
    await d.docker(['rm', '-f', onBerth.id]);
    if (onDockerd && dockerd) await must(DOCKER, ['rm', '-f', onDockerd.id], dockerd.env).catch(() => undefined);
  }
}
