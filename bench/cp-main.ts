// `node dist/bench/cp-main.js`: only the `docker cp` figures of `make bench`, with plain cp and dockerd in the same rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeBusybox, startDaemon, unmountUnder, type TestDaemon } from '../test/e2e/harness';
import { cpBenchInterleaved } from './cp';
import { startDockerd } from './run';

async function main(): Promise<void> {
  const dir = mkdtempSync('/tmp/berth-bench-');
  let d: TestDaemon | undefined;
  let docker: Awaited<ReturnType<typeof startDockerd>>;
  try {
    d = await startDaemon();
    await makeBusybox(d);
    docker = process.env.BENCH_DOCKERD === '0' ? undefined : await startDockerd(dir).catch(() => undefined);
    const env = docker && { ...process.env, DOCKER_HOST: `unix://${docker.sock}`, DOCKER_CONFIG: path.join(dir, 'docker-config') };
    const rows = await cpBenchInterleaved(d, dir, docker && env ? { env, socket: docker.sock } : undefined);
    if (!docker) rows.push(['dockerd', 'not installed, disabled or failed to start: no comparison']);
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`berth cp benchmark (${process.env.BENCH_CP_RUNS ?? 3} rounds, medians)`);
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  } finally {
    await docker?.stop().catch(() => undefined);
    await d?.cleanup();
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
