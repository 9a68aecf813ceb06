// `node dist/bench/distribution-main.js`: only the push/pull figures, berthd and dockerd in the same rounds, beside curl's floor.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, DOCKER, type TestDaemon } from '../test/e2e/harness';
import { startRegistry, type TestRegistry } from '../test/e2e/registry';
import { writeBigArchive } from './distribution';
import { standaloneBench, type Rows } from './standalone';

const ROUNDS = Number(process.env.BENCH_DIST_ROUNDS ?? 3);

type Docker = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function must(docker: Docker, args: string[]): Promise<void> {
  const r = await docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
}

async function seconds(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** One round for one engine on a fresh registry: load, push (timed), remove, pull (timed), remove. */
async function round(docker: Docker, archive: string): Promise<{ push: number; pull: number }> {
  const reg = await startRegistry();
  try {
    const img = `${reg.host}/bench/big:1`;
    await must(docker, ['load', '-i', archive]);
    await must(docker, ['tag', 'bench/big:1', img]);
    const push = await seconds(() => must(docker, ['push', img]));
    await must(docker, ['rmi', img, 'bench/big:1']);
    const pull = await seconds(() => must(docker, ['pull', img]));
    await must(docker, ['rmi', img]);
    return { push, pull };
  } finally {
    await reg.stop();
  }
}

function curl(args: string[]): string {
  const r = spawnSync('curl', ['-sS', '--fail', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`curl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** curl's upload (POST, PATCH, PUT) and download of a 100 MB blob twice at once: what the wire and the registry cost. */
async function floor(dir: string): Promise<{ up: number; down: number }> {
  const files = ['a', 'b'].map((n) => {
    const f = path.join(dir, `floor-${n}`);
    writeFileSync(f, spawnSync('head', ['-c', String(100 * 1000 * 1000), '/dev/urandom'], { maxBuffer: 200 << 20 }).stdout);
    return f;
  });
  const reg: TestRegistry = await startRegistry();
  try {
    const digests = await Promise.all(files.map(async (f) => {
      const h = createHash('sha256');
      for await (const c of createReadStream(f)) h.update(c as Buffer);
      return 'sha256:' + h.digest('hex');
    }));
    const base = `http://${reg.host}/v2/bench/floor`;
    const par = (cmds: string[][]) => Promise.all(cmds.map((a) => run('curl', ['-sS', '--fail', ...a])));
    // As the docker CLI's engines do: POST, one streamed PATCH, then PUT ?digest= (a monolithic PUT is slower on this registry).
    const up = await seconds(async () => {
      const locs = files.map(() => curl(['-X', 'POST', '-D', '-', '-o', '/dev/null', `${base}/blobs/uploads/`]).match(/^location: (.*)$/im)![1].trim());
      const patched = await par(files.map((f, i) => ['-X', 'PATCH', '-H', 'Content-Type: application/octet-stream', '-T', f, '-D', '-', '-o', '/dev/null',
        new URL(locs[i], `http://${reg.host}`).href]));
      const puts = await par(patched.map((r, i) => {
        if (r.code !== 0) throw new Error(`curl upload: ${r.stderr}`);
        return ['-X', 'PUT', `${new URL(r.stdout.match(/^location: (.*)$/im)![1].trim(), `http://${reg.host}`).href}&digest=${digests[i]}`];
      }));
      for (const r of puts) if (r.code !== 0) throw new Error(`curl upload: ${r.stderr}`);
    });
    const down = await seconds(async () => {
      const rs = await par(digests.map((d) => ['-o', '/dev/null', `${base}/blobs/${d}`]));
      for (const r of rs) if (r.code !== 0) throw new Error(`curl download: ${r.stderr}`);
    });
    return { up, down };
  } finally {
    await reg.stop();
    for (const f of files) rmSync(f, { force: true });
  }
}

/** Interleaved rounds of each engine (and curl's floor), medians at the end. */
async function distributionRounds(d: TestDaemon, dir: string, env?: NodeJS.ProcessEnv): Promise<Rows> {
  const archive = path.join(dir, 'big.tar');
  await writeBigArchive(archive, 'bench/big:1');
  const engines: Array<[string, Docker]> = [['berthd', d.docker]];
  if (env) engines.push(['dockerd', (args) => run(DOCKER, args, { env, timeoutMs: 600_000 })]);
  const times: Record<string, { push: number[]; pull: number[] }> = {};
  for (const name of [...engines.map(([n]) => n), 'curl floor']) times[name] = { push: [], pull: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, docker] of engines) {
      const t = await round(docker, archive);
      times[name].push.push(t.push);
      times[name].pull.push(t.pull);
      console.error(`round ${r + 1} ${name}: push ${t.push.toFixed(2)} s, pull ${t.pull.toFixed(2)} s`);
    }
    if (process.env.BENCH_DIST_FLOOR === '0') continue;
    const f = await floor(dir);
    times['curl floor'].push.push(f.up);
    times['curl floor'].pull.push(f.down);
    console.error(`round ${r + 1} curl floor: upload ${f.up.toFixed(2)} s, download ${f.down.toFixed(2)} s`);
  }
  const rows: Rows = [];
  for (const [name, t] of Object.entries(times)) {
    if (!t.push.length) continue;
    rows.push([`push 2 x 100 MB, ${name}, median s`, median(t.push).toFixed(2)]);
    rows.push([`pull 2 x 100 MB, ${name}, median s`, median(t.pull).toFixed(2)]);
  }
  if (times.dockerd) {
    for (const op of ['push', 'pull'] as const) {
      rows.push([`${op}: berthd / dockerd, median of per-round ratios (target ≤ 0.333)`, median(times.berthd[op].map((b, i) => b / times.dockerd[op][i])).toFixed(3)]);
    }
  }
  return rows;
}

standaloneBench(`berth distribution benchmark (${ROUNDS} interleaved rounds)`, distributionRounds).catch((err) => {
  console.error(err);
  process.exit(1);
});
