// What a standalone bench (one part of `make bench`) needs: a berthd, a dockerd beside it where it starts, a table printed, everything cleaned up.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startDaemon, unmountUnder, type TestDaemon } from '../test/e2e/harness';
import { startDockerd } from './run';

export type Rows = Array<[string, string]>;

/** Run `bench` with a fresh berthd and (unless BENCH_DOCKERD=0 or it cannot start) a dockerd's client env; print its rows under `title`. */
export async function standaloneBench(title: string, bench: (d: TestDaemon, dir: string, dockerEnv?: NodeJS.ProcessEnv) => Promise<Rows>): Promise<void> {
  const dir = mkdtempSync('/tmp/berth-bench-');
  let d: TestDaemon | undefined;
  let docker: Awaited<ReturnType<typeof startDockerd>>;
  try {
    d = await startDaemon();
    docker = process.env.BENCH_DOCKERD === '0' ? undefined : await startDockerd(dir).catch(() => undefined);
    const env = docker && { ...process.env, DOCKER_HOST: `unix://${docker.sock}`, DOCKER_CONFIG: path.join(dir, 'docker-config') };
    const rows = await bench(d, dir, env);
    if (!docker) rows.push(['dockerd', 'not installed, disabled or failed to start: no comparison']);
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(title);
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  } finally {
    await docker?.stop().catch(() => undefined);
    await d?.cleanup();
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
