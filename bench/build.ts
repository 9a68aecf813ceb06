// Build figures for `make bench`: a cold build of two 100 MB RUN steps and a fully cached rebuild, on berthd and (when given) dockerd.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeBusybox, run, startDaemon, DOCKER, type TestDaemon } from '../test/e2e/harness';

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

/** Cold (no cache) and cached build times through the docker CLI, against `env`'s daemon. */
async function figures(env: NodeJS.ProcessEnv, dir: string): Promise<{ cold: number; cached: number }> {
  const docker = (args: string[]) => run(DOCKER, args, { env, timeoutMs: 600_000 });
  const cold = await timed(() => docker(['build', '--no-cache', '--network', 'none', '-q', '-t', 'benchbuild', dir]));
  const cached = await timed(() => docker(['build', '--network', 'none', '-q', '-t', 'benchbuild', dir]));
  return { cold, cached };
}

/**
 * Rows for the bench table. `berth` is a running test daemon with busybox;
 * `dockerEnv`, when given, points the docker CLI at a dockerd with busybox.
 */
export async function buildFigures(berth: TestDaemon, dockerEnv?: NodeJS.ProcessEnv): Promise<Array<[string, string]>> {
  const dir = mkdtempSync('/tmp/berth-bench-build-');
  try {
    writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    const env = { ...process.env, DOCKER_HOST: berth.host, DOCKER_CONFIG: path.join(berth.dir, 'docker-config') };
    const b = await figures(env, dir);
    const rows: Array<[string, string]> = [
      ['docker build → berthd, cold (2 RUN × 100 MB), ms', b.cold.toFixed(0)],
      ['docker build → berthd, fully cached rebuild, ms', b.cached.toFixed(0)],
    ];
    if (dockerEnv) {
      const d = await figures(dockerEnv, dir);
      rows.push(['docker build → dockerd (classic builder), cold, ms', d.cold.toFixed(0)]);
      rows.push(['docker build → dockerd, fully cached rebuild, ms', d.cached.toFixed(0)]);
      rows.push(['cold build: berthd / dockerd (target ≤ 0.33)', (b.cold / d.cold).toFixed(3)]);
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Standalone: `node dist/bench/build.js` (BENCH_DOCKER_HOST=unix://… adds a dockerd that already has busybox). */
async function main(): Promise<void> {
  const d = await startDaemon();
  try {
    await makeBusybox(d);
    const host = process.env.BENCH_DOCKER_HOST;
    const rows = await buildFigures(d, host ? { ...process.env, DOCKER_HOST: host } : undefined);
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  } finally {
    await d.cleanup();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
