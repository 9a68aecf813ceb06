// The `docker cp` figures of `make bench`: a 200 MB file into and out of a container, beside plain cp and dockerd.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { run, DOCKER, type TestDaemon } from '../test/e2e/harness';

const SIZE_MB = 200;
const CP_RUNS = Number(process.env.BENCH_CP_RUNS ?? 3);

type Rows = Array<[string, string]>;

/** Median seconds of `n` runs of `fn` (after `before` each time, untimed). */
async function seconds(n: number, fn: () => Promise<void>, before?: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await before?.();
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
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

/** Copy in and out of a running busybox through a docker-compatible CLI; seconds (median). */
async function dockerCpTimes(cli: (args: string[]) => Promise<string>, dir: string, src: string): Promise<{ into: number; out: number }> {
  const id = (await cli(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'])).trim();
  const outFile = path.join(dir, 'cp-out');
  try {
    const into = await seconds(CP_RUNS, async () => { await cli(['cp', src, `${id}:/tmp/big`]); });
    const out = await seconds(CP_RUNS, async () => { await cli(['cp', `${id}:/tmp/big`, outFile]); }, async () => rmSync(outFile, { force: true }));
    return { into, out };
  } finally {
    rmSync(outFile, { force: true });
    await cli(['rm', '-f', id]).catch(() => undefined);
  }
}

/** berthd's figures beside a plain cp of the same file on the same disk. */
export async function cpBench(d: TestDaemon, dir: string): Promise<{ rows: Rows; times: CpTimes; src: string }> {
  const src = path.join(dir, 'cp-200mb');
  makeFile(src, SIZE_MB);
  const copy = path.join(dir, 'cp-plain');
  const floor = await seconds(CP_RUNS, async () => { await must('cp', [src, copy]); }, async () => rmSync(copy, { force: true }));
  rmSync(copy, { force: true });
  const cli = (tool: 'docker' | 'berth') => (args: string[]) => d[tool](args).then((r) => {
    if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')} on berthd: ${r.stderr}`);
    return r.stdout;
  });
  const { into, out } = await dockerCpTimes(cli('docker'), dir, src);
  const own = await dockerCpTimes(cli('berth'), dir, src);
  const rows: Rows = [
    [`plain cp of a ${SIZE_MB} MB file on the same disk, MB/s`, mbps(floor)],
    [`docker cp ${SIZE_MB} MB into a container on berthd, MB/s`, mbps(into)],
    [`docker cp ${SIZE_MB} MB out of a container on berthd, MB/s`, mbps(out)],
    [`berth cp ${SIZE_MB} MB into a container, MB/s`, mbps(own.into)],
    [`berth cp ${SIZE_MB} MB out of a container, MB/s`, mbps(own.out)],
    ['docker cp into berthd / plain cp (time, target ≤ 2)', (into / floor).toFixed(2)],
    ['docker cp out of berthd / plain cp (time, target ≤ 2)', (out / floor).toFixed(2)],
    ['berth cp into / plain cp (time, target ≤ 2)', (own.into / floor).toFixed(2)],
    ['berth cp out / plain cp (time, target ≤ 2)', (own.out / floor).toFixed(2)],
  ];
  return { rows, times: { floor, into, out }, src };
}

/** The same copies through the same CLI against a dockerd (started by the caller), as ratios of time. */
export async function cpBenchDockerd(env: NodeJS.ProcessEnv, dir: string, berth: { times: CpTimes; src: string }): Promise<Rows> {
  const { into, out } = await dockerCpTimes((args) => must(DOCKER, args, env), dir, berth.src);
  return [
    [`docker cp ${SIZE_MB} MB into a container on dockerd, MB/s`, mbps(into)],
    [`docker cp ${SIZE_MB} MB out of a container on dockerd, MB/s`, mbps(out)],
    ['cp into: berthd / dockerd (time, target ≤ 0.33)', (berth.times.into / into).toFixed(2)],
    ['cp out: berthd / dockerd (time, target ≤ 0.33)', (berth.times.out / out).toFixed(2)],
  ];
}
