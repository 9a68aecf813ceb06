// Push and pull of an image with two 100 MB layers to and from a local registry: berthd, and dockerd beside it when given.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { pack } from 'tar-stream';
import { run, DOCKER, type TestDaemon } from '../test/e2e/harness';
import { startRegistry } from '../test/e2e/registry';

const LAYER_BYTES = 100 * 1000 * 1000;
const CHUNK = 1 << 20;

/** A layer tar holding one file of random bytes (incompressible, like the figure), streamed to `p`; returns its diffID. */
async function randomLayer(name: string): Promise<{ tar: Buffer[]; diffID: string }> {
  const p = pack();
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  const reading = (async () => { for await (const c of p) { chunks.push(c as Buffer); hash.update(c as Buffer); } })();
  const entry = p.entry({ name, size: LAYER_BYTES, mode: 0o644 });
  for (let done = 0; done < LAYER_BYTES; done += CHUNK) {
    if (!entry.write(randomBytes(Math.min(CHUNK, LAYER_BYTES - done)))) await once(entry, 'drain');
  }
  (entry as unknown as { end(): void }).end();
  p.finalize();
  await reading;
  return { tar: chunks, diffID: 'sha256:' + hash.digest('hex') };
}

/** A docker-archive with two random 100 MB layers, tagged `tag`, written to `file`. */
export async function writeBigArchive(file: string, tag: string): Promise<void> {
  const out = pack();
  const sink = createWriteStream(file);
  out.pipe(sink);
  const layers: string[] = [];
  for (const n of ['one', 'two']) {
    const l = await randomLayer(`${n}.bin`);
    const size = l.tar.reduce((s, c) => s + c.length, 0);
    const e = out.entry({ name: `blobs/sha256/${l.diffID.slice(7)}`, size });
    for (const c of l.tar) if (!e.write(c)) await once(e, 'drain');
    (e as unknown as { end(): void }).end();
    await once(e, 'finish');
    layers.push(l.diffID);
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: layers },
    history: [{ created_by: 'bench one' }, { created_by: 'bench two' }] }));
  const cfgDigest = createHash('sha256').update(config).digest('hex');
  out.entry({ name: `blobs/sha256/${cfgDigest}` }, config);
  out.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: `blobs/sha256/${cfgDigest}`, RepoTags: [tag], Layers: layers.map((d) => `blobs/sha256/${d.slice(7)}`) }]));
  out.finalize();
  await once(sink, 'close');
}

async function timed(fn: () => Promise<{ code: number; stderr: string }>, what: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Rows for the bench table. `dockerEnv` (DOCKER_HOST of a running dockerd)
 * adds the same push and pull through Docker's engine, each engine with its
 * own registry so neither finds the other's blobs.
 */
export async function distributionBench(d: TestDaemon, dockerEnv?: NodeJS.ProcessEnv): Promise<Array<[string, string]>> {
  const dir = mkdtempSync('/tmp/berth-bench-dist-');
  const rows: Array<[string, string]> = [];
  const regs = [await startRegistry()];
  try {
    const file = path.join(dir, 'big.tar');
    await writeBigArchive(file, 'bench/big:1');
    const engines: Array<{ name: string; docker: (args: string[]) => Promise<{ code: number; stderr: string }> }> = [
      { name: 'berthd', docker: (args) => d.docker(args) },
    ];
    if (dockerEnv) {
      regs.push(await startRegistry());
      engines.push({ name: 'dockerd', docker: (args) => run(DOCKER, args, { env: dockerEnv, timeoutMs: 600_000 }) });
    }
    const times: Record<string, { push: number; pull: number }> = {};
    for (const [i, e] of engines.entries()) {
      const img = `${regs[i].host}/bench/big:1`;
      const load = await e.docker(['load', '-i', file]);
      if (load.code !== 0) throw new Error(`${e.name} load failed: ${load.stderr}`);
      await e.docker(['tag', 'bench/big:1', img]);
      const push = await timed(() => e.docker(['push', img]), `${e.name} push`);
      await e.docker(['rmi', img, 'bench/big:1']);
      const pull = await timed(() => e.docker(['pull', img]), `${e.name} pull`);
      await e.docker(['rmi', img]);
      times[e.name] = { push, pull };
      rows.push([`docker push, 2 x 100 MB layers → local registry, ${e.name}, s`, push.toFixed(2)]);
      rows.push([`docker pull, 2 x 100 MB layers ← local registry, ${e.name}, s`, pull.toFixed(2)]);
    }
    if (times.dockerd) {
      rows.push(['push: berthd / dockerd (target ≤ 0.333)', (times.berthd.push / times.dockerd.push).toFixed(3)]);
      rows.push(['pull: berthd / dockerd (target ≤ 0.333)', (times.berthd.pull / times.dockerd.pull).toFixed(3)]);
    }
  } finally {
    for (const r of regs) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
