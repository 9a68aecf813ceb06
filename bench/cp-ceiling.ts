// `node dist/bench/cp-ceiling.js`: how fast the docker CLI itself can copy, against the cheapest possible engine (no container, no disk on the server side).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { run, DOCKER } from '../test/e2e/harness';

const SIZE_MB = 200;
const RUNS = Number(process.env.BENCH_CP_RUNS ?? 3);

/** A path stat header as Docker sends it. */
function stat(name: string, size: number, mode: number): string {
  return Buffer.from(JSON.stringify({ name, size, mode, mtime: '2024-01-01T00:00:00Z', linkTarget: '' })).toString('base64');
}

function head(status: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ 'Api-Version': '1.45', Ostype: 'linux', Server: 'ceiling', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * A raw-socket "engine" that only answers what `docker cp` asks: /_ping, the
 * HEAD stat of a directory, a PUT whose (chunked) body is read and dropped,
 * and a GET that writes `tar` (held in memory) in one call.
 */
function ceilingServer(sock: string, tar: Buffer): Promise<net.Server> {
  const server = net.createServer((c) => {
    let pending = Buffer.alloc(0);
    let discarding: { chunked: boolean; left: number; tail: Buffer } | undefined;
    const onHead = (text: string) => {
      const [reqLine, ...hl] = text.split('\r\n');
      const [method, url] = reqLine.split(' ');
      const h = Object.fromEntries(hl.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      if (url.includes('/_ping')) return c.write(head('200 OK', { 'Content-Length': method === 'HEAD' ? 0 : 2 }) + (method === 'HEAD' ? '' : 'OK'));
      if (method === 'HEAD') return c.write(head('200 OK', { 'X-Docker-Container-Path-Stat': stat('tmp', 4096, 2 ** 31 + 0o755), 'Content-Length': 0 }));
      if (method === 'GET') {
        c.write(head('200 OK', { 'X-Docker-Container-Path-Stat': stat('big', SIZE_MB << 20, 0o644), 'Content-Type': 'application/x-tar', 'Content-Length': tar.length }));
        return c.write(tar);
      }
      discarding = { chunked: /chunked/i.test(h['transfer-encoding'] ?? ''), left: Number(h['content-length'] ?? 0), tail: Buffer.alloc(0) };
      return undefined;
    };
    c.on('data', (d: Buffer) => {
      if (discarding) {
        const done = discarding.chunked
          ? (discarding.tail = Buffer.concat([discarding.tail, d]).subarray(-5)).toString() === '0\r\n\r\n'
          : (discarding.left -= d.length) <= 0;
        if (done) {
          discarding = undefined;
          c.write(head('200 OK', { 'Content-Length': 0 }));
        }
        return;
      }
      pending = Buffer.concat([pending, d]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = pending.subarray(0, end).toString();
      const rest = pending.subarray(end + 4);
      pending = Buffer.alloc(0);
      onHead(text);
      if (rest.length) c.emit('data', rest);
    });
    c.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(sock, () => resolve(server)));
}

async function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await run(cmd, args, { env, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync('/tmp/berth-ceiling-');
  const sock = path.join(dir, 'engine.sock');
  try {
    const src = path.join(dir, 'big');
    writeFileSync(src, Buffer.concat(Array.from({ length: SIZE_MB / 4 }, () => randomBytes(4 << 20))));
    const tarFile = `${src}.tar`;
    const made = await run('tar', ['-cf', tarFile, '-C', dir, 'big']);
    if (made.code !== 0) throw new Error(made.stderr);
    const server = await ceilingServer(sock, readFileSync(tarFile));
    const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: path.join(dir, 'cfg') };
    const out = path.join(dir, 'out');
    const times: Record<string, number[]> = {};
    const add = (k: string, v: number) => (times[k] ??= []).push(v);
    for (let i = 0; i < RUNS; i++) {
      add('plain cp', await timed('cp', [src, out]));
      rmSync(out, { force: true });
      add('docker cp into (server discards)', await timed(DOCKER, ['cp', src, 'c:/tmp/'], env));
      add('curl -T tar (server discards)', await timed('curl', ['-sfS', '--unix-socket', sock, '-X', 'PUT', '-H', 'Transfer-Encoding: chunked', '-T', tarFile, 'http://x/containers/c/archive?path=/tmp']));
      add('docker cp out (server sends from memory)', await timed(DOCKER, ['cp', 'c:/tmp/big', out], env));
      rmSync(out, { force: true });
      add('curl -o (server sends from memory)', await timed('curl', ['-sfS', '--unix-socket', sock, '-o', out, 'http://x/containers/c/archive?path=/tmp/big']));
      rmSync(out, { force: true });
      add('docker cp out to - >/dev/null', await timed('sh', ['-c', `${DOCKER} cp c:/tmp/big - >/dev/null`], env));
    }
    server.close();
    const floor = median(times['plain cp']);
    console.log(`docker CLI ceiling, ${SIZE_MB} MB, ${RUNS} rounds, medians`);
    for (const [k, v] of Object.entries(times)) {
      const s = median(v);
      console.log(`${k.padEnd(44)} ${(SIZE_MB / s).toFixed(0).padStart(6)} MB/s  ${(s / floor).toFixed(2)}x plain cp`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
