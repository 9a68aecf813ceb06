// `node dist/bench/cp-main.js`: only the docker cp figures of the bench (berthd, plain cp and, where installed, dockerd).
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeBusybox, startDaemon, unmountUnder, type TestDaemon } from '../test/e2e/harness';
import { cpBench, cpBenchDockerd } from './cp';
import { startDockerd } from './run';

async function main(): Promise<void> {
  const dir = mkdtempSync('/tmp/berth-bench-cp-');
  let d: TestDaemon | undefined;
  let docker: Awaited<ReturnType<typeof startDockerd>>;
  const rows: Array<[string, string]> = [];
  try {
    d = await startDaemon();
    await makeBusybox(d);
    const cp = await cpBench(d, dir);
    rows.push(...cp.rows);
    docker = await startDockerd(dir).catch(() => undefined);
    if (docker) rows.push(...await cpBenchDockerd({ ...process.env, DOCKER_HOST: `unix://${docker.sock}`, DOCKER_CONFIG: path.join(dir, 'docker-config') }, dir, cp));
    else rows.push(['dockerd', 'not installed or failed to start: no comparison']);
  } finally {
    await docker?.stop().catch(() => undefined);
    await d?.cleanup();
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
