// `make bench`: berth against the floor (raw runc on a prepared bundle) and, where installed, dockerd, in one run.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { makeBusybox, run, startDaemon, unmountUnder, DOCKER, type TestDaemon } from '../test/e2e/harness';
import { busyboxApplets } from '../src/baseimage/busybox';
import { EngineClient, readAll } from '../src/client';
import { networkBench, networkOnly } from './network';
import { cpBench, cpBenchDockerd } from './cp';
import { distributionBench } from './distribution';
import { buildFigures } from './build';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ROOT = path.resolve(__dirname, '../..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(n: number, fn: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function pidsOf(pattern: RegExp): number[] {
  const out: number[] = [];
  for (const p of require('node:fs').readdirSync('/proc').filter((x: string) => /^\d+$/.test(x))) {
    try {
      if (pattern.test(readFileSync(`/proc/${p}/cmdline`, 'utf8'))) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

/** The floor: `runc run` of `true` on a bundle prepared once (busybox rootfs, new netns). */
async function runcFloor(dir: string): Promise<number> {
  const bundle = path.join(dir, 'bundle');
  const rootfs = path.join(bundle, 'rootfs');
  mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(path.join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
  for (const a of busyboxApplets()) if (!existsSync(path.join(rootfs, 'bin', a))) symlinkSync('busybox', path.join(rootfs, 'bin', a));
  execFileSync('runc', ['spec', '--bundle', bundle]);
  const spec = JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  spec.process.terminal = false;
  spec.process.args = ['true'];
  writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
  const root = path.join(dir, 'runc-root');
  let i = 0;
  return timeIt(RUNS, async () => {
    const r = await run('runc', ['--root', root, 'run', '--bundle', bundle, `floor${i++}`]);
    if (r.code !== 0) throw new Error(`runc run failed: ${r.stderr}`);
  });
}

/** One `run --rm true` through the API from this process: the engine's own time, without any CLI start-up. */
async function apiRun(client: EngineClient): Promise<void> {
  const { Id } = await client.json<{ Id: string }>('POST', '/containers/create', {
    body: { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none', AutoRemove: true } },
  });
  const wait = await client.request('POST', `/containers/${Id}/wait`, { query: { condition: 'removed' } });
  await client.request('POST', `/containers/${Id}/start`).then((r) => r.body.resume());
  const text = (await readAll(wait.body)).toString();
  if (JSON.parse(text).StatusCode !== 0) throw new Error(`api run failed: ${text}`);
}

/** Node's own start-up in `env`: the part of a `berth` call no berth code can cut. */
function nodeStartup(env: NodeJS.ProcessEnv): Promise<number> {
  return timeIt(RUNS, async () => { await run(process.execPath, ['-e', '0'], { env }); });
}

export async function startDockerd(dir: string): Promise<{ sock: string; stop: () => Promise<void> } | undefined> {
  if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd')) return undefined;
  const sock = path.join(dir, 'docker.sock');
  const proc = spawn('dockerd', ['-H', `unix://${sock}`, '--data-root', path.join(dir, 'docker-data'), '--exec-root', path.join(dir, 'docker-exec'),
    '--pidfile', path.join(dir, 'docker.pid'), '--bridge', 'none', '--iptables=false', '--ip6tables=false'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(dir, 'docker-config') };
  for (let i = 0; i < 100; i++) {
    if ((await run(DOCKER, ['version'], { env })).code === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const tar = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(ROOT, 'dist/src/baseimage/busybox.js'))}).busyboxRootfsTar().pipe(process.stdout)`], { maxBuffer: 64 << 20 });
  const imp = await run(DOCKER, ['import', '-c', 'CMD ["sh"]', '-', 'busybox'], { env, input: tar });
  if (imp.code !== 0) {
    proc.kill('SIGKILL');
    return undefined;
  }
  return {
    sock,
    stop: async () => {
      const ids = (await run(DOCKER, ['ps', '-aq'], { env })).stdout.trim().split('\n').filter(Boolean);
      if (ids.length) await run(DOCKER, ['rm', '-f', ...ids], { env });
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

async function main(): Promise<void> {
  /* BENCH_ONLY=network: published-port throughput against direct and a bridge's start-up cost, nothing else. */
  if (process.env.BENCH_ONLY === 'network') return printFigures(await networkOnly(RUNS));
  const dir = mkdtempSync('/tmp/berth-bench-');
  let d: TestDaemon | undefined;
  let docker: Awaited<ReturnType<typeof startDockerd>>;
  const rows: Array<[string, string]> = [];
  try {
    d = await startDaemon();
    await makeBusybox(d);
    const daemon = d;
    const floor = await runcFloor(dir);
    // Node 20 reads the whole NODE_EXTRA_CA_CERTS file at start-up; bin/berth leaves it out (the CLI makes no TLS connection).
    const { NODE_EXTRA_CA_CERTS: extraCa, ...envWithoutCa } = process.env;
    const nodeStart = await nodeStartup(envWithoutCa);
    const nodeStartWithCa = extraCa ? await nodeStartup(process.env) : undefined;
    const berthRun = await timeIt(RUNS, async () => {
      const r = await daemon.berth(['run', '--rm', '--network', 'none', 'busybox', 'true']);
      if (r.code !== 0) throw new Error(`berth run failed: ${r.stderr}`);
    });
    const dockerCliOnBerth = await timeIt(RUNS, async () => {
      const r = await daemon.docker(['run', '--rm', '--network', 'none', 'busybox', 'true']);
      if (r.code !== 0) throw new Error(`docker run on berthd failed: ${r.stderr}`);
    });
    const berthApi = await timeIt(RUNS, () => apiRun(daemon.client));
    const target = (await daemon.berth(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'])).stdout.trim();
    const berthExec = await timeIt(RUNS, async () => {
      const r = await daemon.berth(['exec', target, 'true']);
      if (r.code !== 0) throw new Error(`berth exec failed: ${r.stderr}`);
    });
    const dockerExecOnBerth = await timeIt(RUNS, async () => { await daemon.docker(['exec', target, 'true']); });
    await daemon.berth(['rm', '-f', target]);
    const berthdPid = Number(readFileSync(path.join(d.dir, 'berthd.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 500));
    const idleRss = rssKb(berthdPid);

    // 50 running containers: memory outside them, and how fast ps lists them.
    const N = 50;
    for (let i = 0; i < N; i++) {
      const r = await daemon.berth(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600']);
      if (r.code !== 0) throw new Error(`berth run -d failed: ${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 500));
    const conmons = pidsOf(new RegExp(`^[^\\0]*conmon\\0[^]*${d.execRoot.replace(/[/.]/g, '\\$&')}`));
    const conmonKb = conmons.reduce((s, p) => s + rssKb(p), 0);
    const busyRss = rssKb(berthdPid);
    const perContainerKb = (conmonKb + Math.max(0, busyRss - idleRss)) / N;
    const psTime = await timeIt(5, async () => {
      const r = await daemon.berth(['ps', '-q']);
      if (r.stdout.trim().split('\n').length !== N) throw new Error(`ps listed ${r.stdout.trim().split('\n').length} containers`);
    });
    const dockerPsTime = await timeIt(5, async () => { await daemon.docker(['ps', '-q']); });

    rows.push(['raw runc run (floor), median ms', floor.toFixed(1)]);
    rows.push(['node start-up alone, as bin/berth starts it (every berth CLI call pays it), median ms', nodeStart.toFixed(1)]);
    if (nodeStartWithCa !== undefined) rows.push(['  the same with NODE_EXTRA_CA_CERTS (set here; bin/berth leaves it out), median ms', nodeStartWithCa.toFixed(1)]);
    rows.push(['berth run --rm --network none busybox true, median ms', berthRun.toFixed(1)]);
    rows.push(['docker CLI → berthd, same run, median ms', dockerCliOnBerth.toFixed(1)]);
    rows.push(['API run on berthd (no CLI start-up), median ms', berthApi.toFixed(1)]);
    rows.push(['berth / floor', (berthRun / floor).toFixed(2)]);
    rows.push(['API run on berthd / floor', (berthApi / floor).toFixed(2)]);
    rows.push(['berth exec c true, median ms', berthExec.toFixed(1)]);
    rows.push(['docker CLI → berthd exec, median ms', dockerExecOnBerth.toFixed(1)]);
    rows.push(['idle berthd RSS, MB', (idleRss / 1024).toFixed(1)]);
    rows.push([`memory outside each running container (conmon + berthd growth), MB (${conmons.length} conmons)`, (perContainerKb / 1024).toFixed(2)]);
    rows.push([`berth ps with ${N} running, median ms`, psTime.toFixed(1)]);
    rows.push([`docker ps → berthd with ${N} running, median ms`, dockerPsTime.toFixed(1)]);
    /* BENCH_ONLY=core: run, exec, memory and ps, beside the floor and dockerd; the other parts' figures are skipped. */
    const core = process.env.BENCH_ONLY === 'core';
    if (!core) rows.push(...await networkBench(daemon, RUNS));
    const cp = core ? undefined : await cpBench(daemon, dir);
    if (cp) rows.push(...cp.rows);

    docker = await startDockerd(dir).catch(() => undefined);
    if (docker) {
      const env = { ...process.env, DOCKER_HOST: `unix://${docker.sock}`, DOCKER_CONFIG: path.join(dir, 'docker-config') };
      const dockerRun = await timeIt(RUNS, async () => {
        const r = await run(DOCKER, ['run', '--rm', '--network', 'none', 'busybox', 'true'], { env });
        if (r.code !== 0) throw new Error(`docker run on dockerd failed: ${r.stderr}`);
      });
      const dtarget = (await run(DOCKER, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'], { env })).stdout.trim();
      const dockerExec = await timeIt(RUNS, async () => {
        const r = await run(DOCKER, ['exec', dtarget, 'true'], { env });
        if (r.code !== 0) throw new Error(`docker exec on dockerd failed: ${r.stderr}`);
      });
      const dockerApi = await timeIt(RUNS, () => apiRun(new EngineClient({ host: `unix://${docker!.sock}` })));
      const dockerdPid = Number(readFileSync(path.join(dir, 'docker.pid'), 'utf8'));
      rows.push(['docker run on dockerd, median ms', dockerRun.toFixed(1)]);
      rows.push(['berth / dockerd (run, each through its CLI)', (berthRun / dockerRun).toFixed(3)]);
      rows.push(['docker CLI → berthd / docker CLI → dockerd (same client)', (dockerCliOnBerth / dockerRun).toFixed(3)]);
      rows.push(['docker exec on dockerd, median ms', dockerExec.toFixed(1)]);
      rows.push(['berth exec / dockerd exec (each through its CLI)', (berthExec / dockerExec).toFixed(3)]);
      rows.push(['docker CLI exec: berthd / dockerd', (dockerExecOnBerth / dockerExec).toFixed(3)]);
      rows.push(['API run on dockerd, median ms', dockerApi.toFixed(1)]);
      rows.push(['API run: berthd / dockerd', (berthApi / dockerApi).toFixed(3)]);
      rows.push(['dockerd idle RSS, MB', (rssKb(dockerdPid) / 1024).toFixed(1)]);
      if (cp) rows.push(...await cpBenchDockerd(env, dir, cp));
      if (!core) rows.push(...await distributionBench(daemon, env));
      if (!core) rows.push(...await buildFigures(daemon, env));
    } else {
      if (!core) rows.push(...await distributionBench(daemon));
      if (!core) rows.push(...await buildFigures(daemon));
      rows.push(['dockerd', 'not installed or failed to start: no comparison']);
    }
  } finally {
    await docker?.stop().catch(() => undefined);
    await d?.cleanup();
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  printFigures(rows);
}

function printFigures(rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`berth benchmarks (${RUNS} runs each, medians)`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

// Only when run as `make bench`; bench/cp-main.ts imports startDockerd.
if (require.main === module) main().catch((err) => {
  console.error(err);
  process.exit(1);
});
