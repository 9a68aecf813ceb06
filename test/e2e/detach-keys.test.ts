// Detach keys with the real docker CLI in a real pseudo-terminal (util-linux `script`), and berthd's own detection on attach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DOCKER, useDaemon } from './harness';

const ctx = useDaemon();

/** The docker CLI under `script`, which gives it a pty whose input is our writes and whose output we read. */
class PtyDocker {
  private readonly proc: ChildProcess;
  output = '';
  readonly exited: Promise<number>;

  constructor(args: string[]) {
    const env = { ...process.env, DOCKER_HOST: ctx.d.host, DOCKER_CONFIG: path.join(ctx.d.dir, 'docker-config'), DOCKER_CLI_HINTS: 'false' };
    this.proc = spawn('script', ['-qfec', [DOCKER, ...args].join(' '), '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (b: Buffer) => { this.output += b.toString(); });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code ?? -1)));
  }

  /** Resolves once the output contains `text`; fails after `ms` with what was seen. */
  async waitFor(text: string, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!this.output.includes(text)) {
      if (Date.now() > end) throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(this.output)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Type keys one write at a time, as a person would. */
  async type(...keys: string[]): Promise<void> {
    for (const k of keys) {
      this.proc.stdin!.write(k);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

async function running(id: string): Promise<boolean> {
  return (await ctx.d.docker(['inspect', '--format', '{{.State.Running}}', id])).stdout.trim() === 'true';
}

test('docker run -it detaches on ctrl-p ctrl-q and docker attach does again; the container keeps running', async () => {
  const run = new PtyDocker(['run', '-it', '--name', 'detachable', '--network', 'none', 'busybox', 'sh']);
  try {
    await run.type('echo $((6*7))\r');
    await run.waitFor('42');
    await run.type('\x10', '\x11');
    // docker run returns 0 on a detach.
    assert.equal(await run.exited, 0, run.output);
  } finally {
    run.kill();
  }
  assert.equal(await running('detachable'), true);

  const attach = new PtyDocker(['attach', 'detachable']);
  try {
    await new Promise((r) => setTimeout(r, 500));
    await attach.type('echo $((7*9))\r');
    await attach.waitFor('63');
    await attach.type('\x10', '\x11');
    // docker attach reports the detach and exits 1, with dockerd as here.
    await attach.exited;
    assert.match(attach.output, /read escape sequence/);
  } finally {
    attach.kill();
  }
  assert.equal(await running('detachable'), true);
  const again = await ctx.d.docker(['exec', 'detachable', 'echo', 'still here']);
  assert.equal(again.stdout, 'still here\n');
  await ctx.d.docker(['rm', '-f', 'detachable']);
});

test('--detach-keys on docker exec -it detaches from the exec and leaves the container running', async () => {
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '300'])).stdout.trim();
  const exec = new PtyDocker(['exec', '-it', '--detach-keys', 'ctrl-x', id, 'sh']);
  try {
    await exec.type('echo $((5*5))\r');
    await exec.waitFor('25');
    await exec.type('\x18');
    await exec.exited;
    assert.match(exec.output, /read escape sequence/);
  } finally {
    exec.kill();
  }
  assert.equal(await running(id), true);
  await ctx.d.docker(['rm', '-f', id]);
});

test('berthd itself ends a TTY attach on its detach keys (and publishes detach); bad keys are a 400', async () => {
  const id = (await ctx.d.docker(['run', '-dit', '--network', 'none', 'busybox', 'sh'])).stdout.trim();
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const conn = await ctx.d.client.hijack('POST', `/containers/${id}/attach`, { query: { stream: '1', stdin: '1', stdout: '1', detachKeys: 'ctrl-a,d' } });
  let out = '';
  conn.socket.on('data', (b: Buffer) => { out += b.toString(); });
  conn.socket.resume();
  // berthd ends its side; the client (half-open) sees EOF on the output.
  const closed = new Promise<void>((resolve) => conn.socket.once('end', () => resolve()));
  conn.socket.write('echo $((8*8))\r');
  for (let i = 0; i < 200 && !out.includes('64'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /64/);
  conn.socket.write(Buffer.from([0x01]));
  conn.socket.write('d');
  await closed;
  conn.socket.destroy();
  assert.equal(await running(id), true);
  const ev = await ctx.d.docker(['events', '--since', since, '--until', String(Math.ceil(Date.now() / 1000) + 1),
    '--filter', `container=${id}`, '--filter', 'event=detach', '--format', '{{.Action}}']);
  assert.equal(ev.stdout.trim(), 'detach');
  const bad = await ctx.d.client.hijack('POST', `/containers/${id}/attach`, { query: { stream: '1', stdin: '1', detachKeys: 'ctrl-1' } }).catch((e) => e);
  assert.equal(bad.statusCode, 400);
  assert.match(bad.message, /Invalid detach keys \(ctrl-1\) provided/);
  await ctx.d.docker(['rm', '-f', id]);
});
