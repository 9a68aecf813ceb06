// Archives across engines: a `docker save` from Docker's own engine loads into berth and runs; a berth save loads into dockerd and runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DOCKER, run, unmountUnder, useDaemon } from './harness';

const DOCKERD = '/usr/sbin/dockerd';
const ctx = useDaemon();
let dir = '';
let proc: ChildProcess | undefined;
let startError = '';

/** The real engine on its own socket, data root and exec root, without iptables or a bridge; never /var/run/docker.sock. */
async function startDockerd(): Promise<void> {
  dir = mkdtempSync('/tmp/berth-dockerd-');
  const sock = path.join(dir, 'docker.sock');
  let log = '';
  proc = spawn(DOCKERD, ['-H', `unix://${sock}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'),
    '--pidfile', path.join(dir, 'docker.pid'), '--iptables=false', '--ip6tables=false', '--bridge=none'], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (b) => { log = (log + b.toString()).slice(-4000); });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break;
    if ((await dockerd(['version'])).code === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  startError = `dockerd did not start: ${log.split('\n').slice(-5).join(' ')}`;
}

function dockerd(args: string[]) {
  return run(DOCKER, ['-H', `unix://${path.join(dir, 'docker.sock')}`, ...args], { env: { ...process.env, DOCKER_CONFIG: path.join(dir, 'cfg') } });
}

before(async () => {
  if (existsSync(DOCKERD)) await startDockerd();
});

after(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(() => { proc!.kill('SIGKILL'); r(undefined); }, 20_000); proc!.once('exit', () => { clearTimeout(t); r(undefined); }); });
  }
  if (dir) {
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

const skipReason = () => (!existsSync(DOCKERD) ? `${DOCKERD} is not installed (apt-get install docker.io)` : startError);

test('a berth save loads into dockerd and runs there; a dockerd save of a committed image loads into berth and runs', async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const file = path.join(dir, 'from-berth.tar');
  assert.equal((await ctx.d.docker(['save', '-o', file, 'busybox'])).code, 0);
  const load = await dockerd(['load', '-i', file]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: busybox:latest/);
  const there = await dockerd(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'in-dockerd']);
  assert.equal(there.stdout.trim(), 'in-dockerd', there.stderr);

  assert.equal((await dockerd(['run', '--name', 'maker', '--network', 'none', 'busybox', 'sh', '-c', 'echo made-by-docker > /made'])).code, 0);
  assert.equal((await dockerd(['commit', '-c', 'CMD ["cat","/made"]', 'maker', 'from-dockerd:1'])).code, 0);
  await dockerd(['rm', 'maker']);
  const back = path.join(dir, 'from-dockerd.tar');
  assert.equal((await dockerd(['save', '-o', back, 'from-dockerd:1'])).code, 0);
  const into = await ctx.d.docker(['load', '-i', back]);
  assert.equal(into.code, 0, into.stderr);
  assert.match(into.stdout, /Loaded image: from-dockerd:1/);
  const id = (await dockerd(['image', 'inspect', '--format', '{{.Id}}', 'from-dockerd:1'])).stdout.trim();
  assert.equal((await ctx.d.docker(['image', 'inspect', '--format', '{{.Id}}', 'from-dockerd:1'])).stdout.trim(), id);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', 'from-dockerd:1']);
  assert.equal(out.stdout.trim(), 'made-by-docker', out.stderr);
});
