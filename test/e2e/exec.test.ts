// `docker exec` through berthd: output, exit codes, -e/-w/-u, stdin, TTY, detach, errors and exec inspect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon();
let box = '';

async function running(): Promise<string> {
  if (box) return box;
  const r = await ctx.d.docker(['run', '-d', '--network', 'none', '-e', 'FROM_RUN=yes', 'busybox', 'sleep', '300']);
  assert.equal(r.code, 0, r.stderr);
  box = r.stdout.trim();
  return box;
}

test('exec prints the command\'s output', async () => {
  const id = await running();
  const r = await ctx.d.docker(['exec', id, 'echo', 'hi']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hi\n');
  const both = await ctx.d.docker(['exec', id, 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal(both.stdout, 'out\n');
  assert.equal(both.stderr, 'err\n');
});

test('exec exits with the process\'s exit code', async () => {
  const r = await ctx.d.docker(['exec', await running(), 'sh', '-c', 'exit 7']);
  assert.equal(r.code, 7);
});

test('-e, -w and -u shape the exec\'d process; the container\'s env is inherited', async () => {
  const r = await ctx.d.docker(['exec', '-e', 'GREETING=hi there', '-w', '/tmp', '-u', 'nobody', await running(),
    'sh', '-c', 'echo "$GREETING"; pwd; id -u; echo $FROM_RUN']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['hi there', '/tmp', '65534', 'yes']);
});

test('-i passes piped stdin and closes it at EOF', async () => {
  const r = await ctx.d.docker(['exec', '-i', await running(), 'sh', '-c', 'tr a-z A-Z; echo done'], { input: 'piped text\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'PIPED TEXT\ndone\n');
});

test('-t gives the exec a terminal', async () => {
  const r = await ctx.d.docker(['exec', '-t', await running(), 'sh', '-c', 'test -t 1 && echo tty; tty']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^tty\r\n\/dev\/pts\/\d+\r\n$/);
});

test('-d runs the exec in the background', async () => {
  const id = await running();
  const d = await ctx.d.docker(['exec', '-d', id, 'sh', '-c', 'echo made > /tmp/detached']);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stdout, '');
  let seen = '';
  for (let i = 0; i < 50 && seen !== 'made\n'; i++) {
    seen = (await ctx.d.docker(['exec', id, 'cat', '/tmp/detached'])).stdout;
    if (seen !== 'made\n') await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(seen, 'made\n');
});

test('--privileged gives every capability berthd holds', async () => {
  const id = await running();
  const plain = await ctx.d.docker(['exec', id, 'sh', '-c', 'grep CapEff /proc/self/status']);
  const priv = await ctx.d.docker(['exec', '--privileged', id, 'sh', '-c', 'grep CapEff /proc/self/status']);
  assert.equal(priv.code, 0, priv.stderr);
  const capEff = (text: string) => BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(text)![1]}`);
  const SYS_ADMIN = 1n << 21n;
  assert.equal(capEff(plain.stdout) & SYS_ADMIN, 0n);
  assert.equal(capEff(priv.stdout) & SYS_ADMIN, SYS_ADMIN);
});

test('a missing command exits 127, a non-executable one 126', async () => {
  const id = await running();
  const missing = await ctx.d.docker(['exec', id, 'no-such-binary']);
  assert.equal(missing.code, 127, missing.stdout + missing.stderr);
  assert.match(missing.stdout + missing.stderr, /executable file not found/);
  const denied = await ctx.d.docker(['exec', id, '/etc/passwd']);
  assert.equal(denied.code, 126, denied.stdout + denied.stderr);
});

test('exec in a stopped container is a 409, in an unknown one a 404, with no command a 400', async () => {
  const c = await ctx.d.docker(['create', '--network', 'none', 'busybox', 'true']);
  const stopped = c.stdout.trim();
  const r = await ctx.d.docker(['exec', stopped, 'echo', 'hi']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`Container ${stopped} is not running`));
  await assert.rejects(ctx.d.client.json('POST', `/containers/${stopped}/exec`, { body: { Cmd: ['true'] } }),
    (err: { statusCode: number }) => err.statusCode === 409);
  await assert.rejects(ctx.d.client.json('POST', '/containers/nosuchcontainer/exec', { body: { Cmd: ['true'] } }),
    (err: { statusCode: number }) => err.statusCode === 404);
  await assert.rejects(ctx.d.client.json('POST', `/containers/${await running()}/exec`, { body: { Cmd: [] } }),
    (err: { statusCode: number; message: string }) => err.statusCode === 400 && /No exec command specified/.test(err.message));
  await assert.rejects(ctx.d.client.json('GET', '/exec/nosuchexec/json'), (err: { statusCode: number }) => err.statusCode === 404);
});

test('exec inspect reports the process and, after it ends, its exit code', async () => {
  const id = await running();
  const { Id } = await ctx.d.client.json<{ Id: string }>('POST', `/containers/${id}/exec`, {
    body: { Cmd: ['sh', '-c', 'sleep 0.3; exit 3'], User: 'nobody', AttachStdout: true },
  });
  const before = await ctx.d.client.json<Record<string, any>>('GET', `/exec/${Id}/json`);
  assert.equal(before.Running, false);
  assert.equal(before.ExitCode, null);
  assert.equal(before.ContainerID, id);
  assert.deepEqual(before.ProcessConfig, { tty: false, entrypoint: 'sh', arguments: ['-c', 'sleep 0.3; exit 3'], privileged: false, user: 'nobody' });
  await ctx.d.client.json('POST', `/exec/${Id}/start`, { body: { Detach: true } });
  const during = await ctx.d.client.json<Record<string, any>>('GET', `/exec/${Id}/json`);
  assert.equal(during.Running, true);
  assert.equal(during.ExitCode, null);
  assert.ok(during.Pid > 0);
  let after = during;
  for (let i = 0; i < 50 && after.Running; i++) {
    await new Promise((res) => setTimeout(res, 100));
    after = await ctx.d.client.json<Record<string, any>>('GET', `/exec/${Id}/json`);
  }
  assert.equal(after.Running, false);
  assert.equal(after.ExitCode, 3);
  await assert.rejects(ctx.d.client.json('POST', `/exec/${Id}/start`, { body: { Detach: true } }),
    (err: { statusCode: number }) => err.statusCode === 409);
});

test('docker events shows exec_create, exec_start and exec_die with the exit code', async () => {
  // A container of its own: `since` reaches back a second, into the other tests' execs.
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const id = (await ctx.d.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '300'])).stdout.trim();
  const r = await ctx.d.docker(['exec', id, 'sh', '-c', 'exit 4']);
  assert.equal(r.code, 4);
  const ev = await ctx.d.docker(['events', '--since', since, '--until', String(Math.ceil(Date.now() / 1000) + 1),
    '--filter', `container=${id}`, '--filter', 'event=exec_create', '--filter', 'event=exec_start', '--filter', 'event=exec_die',
    '--format', '{{.Action}}|{{.Actor.Attributes.exitCode}}|{{.Actor.Attributes.execID}}']);
  assert.equal(ev.code, 0, ev.stderr);
  const lines = ev.stdout.trim().split('\n').map((l) => l.split('|'));
  assert.deepEqual(lines.map((l) => l[0]), ['exec_create: sh -c exit 4', 'exec_start: sh -c exit 4', 'exec_die']);
  assert.equal(lines[2][1], '4');
  assert.match(lines[0][2], /^[0-9a-f]{64}$/);
  assert.ok(lines.every((l) => l[2] === lines[0][2]), 'one execID throughout');
  await ctx.d.docker(['rm', '-f', id]);
});
