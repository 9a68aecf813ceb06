// Build figures for `make bench`: a cold build of two 100 MB RUN steps and a fully cached rebuild, on berthd and (when given) dockerd.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeBusybox, run, DOCKER, type TestDaemon } from '../test/e2e/harness';
import { standaloneBench } from './standalone';

/** Rounds of the standalone run (`node dist/bench/build.js`), berthd and dockerd interleaved in each; medians reported. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_BUILD_RUNS ?? 1));

const DOCKERFILE = `FROM busybox
RUN head -c 100000000 /dev/zero > /a
RUN head -c 100000000 /dev/zero > /b
CMD ["ls", "-l", "/a", "/b"]
`;

async function timed(fn: () => Promise<{ code: number; stderr: string }>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  if (r.code !== 0) throw new Error(`build failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface Times { cold: number; cached: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Cold (no cache) and cached build times through the docker CLI, against `env`'s daemon. */
async function figures(env: NodeJS.ProcessEnv, dir: string): Promise<Times> {
  const docker = (args: string[]) => run(DOCKER, args, { env, timeoutMs: 600_000 });
  const cold = await timed(() => docker(['build', '--no-cache', '--network', 'none', '-q', '-t', 'benchbuild', dir]));
  const cached = await timed(() => docker(['build', '--network', 'none', '-q', '-t', 'benchbuild', dir]));
  return { cold, cached };
}

/**
 * Rows for the bench table. `berth` is a running test daemon with busybox;
 * `dockerEnv`, when given, points the docker CLI at a dockerd with busybox.
 */
export async function buildFigures(berth: TestDaemon, dockerEnv?: NodeJS.ProcessEnv, rounds = 1): Promise<Array<[string, string]>> {
  const dir = mkdtempSync('/tmp/berth-bench-build-');
  try {
    writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    const env = { ...process.env, DOCKER_HOST: berth.host, DOCKER_CONFIG: path.join(berth.dir, 'docker-config') };
    const bs: Times[] = [];
    const ds: Times[] = [];
    for (let i = 0; i < rounds; i++) {
      bs.push(await figures(env, dir));
      if (dockerEnv) ds.push(await figures(dockerEnv, dir));
    }
    const b = { cold: median(bs.map((t) => t.cold)), cached: median(bs.map((t) => t.cached)) };
    const rows: Array<[string, string]> = [
      ['docker build → berthd, cold (2 RUN × 100 MB), ms', b.cold.toFixed(0)],
      ['docker build → berthd, fully cached rebuild, ms', b.cached.toFixed(0)],
    ];
    if (dockerEnv) {
      const d = { cold: median(ds.map((t) => t.cold)), cached: median(ds.map((t) => t.cached)) };
      rows.push(['docker build → dockerd (classic builder), cold, ms', d.cold.toFixed(0)]);
      rows.push(['docker build → dockerd, fully cached rebuild, ms', d.cached.toFixed(0)]);
      rows.push(['cold build: berthd / dockerd (target ≤ 0.33)', (b.cold / d.cold).toFixed(3)]);
    }
    if (rounds > 1) rows.push([`cold builds, ms, per round (berthd${dockerEnv ? ' / dockerd' : ''})`, bs.map((t, i) => `${t.cold.toFixed(0)}${ds[i] ? `/${ds[i]!.cold.toFixed(0)}` : ''}`).join(' ')]);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Standalone: `node dist/bench/build.js` (a dockerd beside it unless BENCH_DOCKERD=0; BENCH_BUILD_RUNS rounds). */
if (require.main === module) {
  standaloneBench(`berth build benchmark (${ROUNDS} rounds, medians)`, async (d, _dir, env) => {
    await makeBusybox(d);
    return buildFigures(d, env, ROUNDS);
  }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
