// The berth CLI's update, stats and system df against berthd: limits changed in the running cgroup, docker's tables and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { useDaemon } from './harness';
import { isCgroupV2 } from '../../src/runtime/spec';

const ctx = useDaemon();
const memFile = isCgroupV2() ? '/sys/fs/cgroup/memory.max' : '/sys/fs/cgroup/memory/memory.limit_in_bytes';
const MiB = 1024 * 1024;

async function runDetached(name: string, args: string[] = []): Promise<string> {
  const r = await ctx.d.berth(['run', '-d', '--name', name, '--network', 'none', ...args, 'busybox', 'sleep', '1000']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

test('berth update changes a running container\'s memory limit in inspect and in its cgroup', async () => {
  const id = await runDetached('upd', ['--memory', '32m']);
  try {
    const up = await ctx.d.berth(['update', '-m', '48m', '--memory-swap', '96m', '--cpus', '0.5', '--pids-limit', '20', '--restart', 'on-failure:2', 'upd']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, 'upd\n');
    const hc = JSON.parse((await ctx.d.berth(['inspect', '--format', '{{json .HostConfig}}', id])).stdout);
    assert.equal(hc.Memory, 48 * MiB);
    assert.equal(hc.MemorySwap, 96 * MiB);
    assert.equal(hc.NanoCpus, 500_000_000);
    assert.equal(hc.PidsLimit, 20);
    assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    const cgroup = await ctx.d.berth(['exec', id, 'cat', memFile]);
    assert.equal(cgroup.stdout.trim(), String(48 * MiB), cgroup.stderr);
  } finally {
    await ctx.d.berth(['rm', '-f', id]);
  }
});

test('berth update reports each failure on stderr, prints the rest, and exits 1', async () => {
  const id = await runDetached('upd2');
  try {
    const r = await ctx.d.berth(['update', '--cpu-shares', '512', 'upd2', 'no-such-ctr']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'upd2\n');
    assert.equal(r.stderr.trim(), 'Error response from daemon: No such container: no-such-ctr');
    assert.equal((await ctx.d.berth(['inspect', '--format', '{{.HostConfig.CpuShares}}', id])).stdout.trim(), '512');
    const none = await ctx.d.berth(['update', 'upd2']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /you must provide one or more flags when using this command/);
    const badSize = await ctx.d.berth(['update', '-m', 'lots', 'upd2']);
    assert.equal(badSize.code, 125);
    assert.match(badSize.stderr, /^invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'\n\nUsage:  berth update/);
    const tooSmall = await ctx.d.berth(['update', '-m', '1m', 'upd2']);
    assert.equal(tooSmall.code, 1);
    assert.match(tooSmall.stderr, /Minimum memory limit allowed is 6MB/);
  } finally {
    await ctx.d.berth(['rm', '-f', id]);
  }
});

test('berth stats --no-stream shows docker\'s header and a row with sane memory figures', async () => {
  const id = await runDetached('st', ['--memory', '64m']);
  try {
    const r = await ctx.d.berth(['stats', '--no-stream', 'st']);
    assert.equal(r.code, 0, r.stderr);
    const [header, row, ...rest] = r.stdout.trimEnd().split('\n');
    assert.deepEqual(rest, []);
    assert.match(header, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    const m = new RegExp(`^${id.slice(0, 12)}\\s+st\\s+([\\d.]+)%\\s+([\\d.]+)(B|KiB|MiB) / 64MiB\\s+([\\d.]+)%\\s+\\S+ / \\S+\\s+\\S+ / \\S+\\s+1$`).exec(row);
    assert.ok(m, row);
    const usedMiB = Number(m[2]) / (m[3] === 'MiB' ? 1 : m[3] === 'KiB' ? 1024 : MiB);
    assert.ok(usedMiB > 0 && usedMiB < 64, `a sleeping busybox uses a little memory: ${row}`);
    assert.ok(Number(m[4]) < 100, row);

    const f = await ctx.d.berth(['stats', '--no-stream', '--no-trunc', '--format', '{{.Container}} {{.Name}} {{.ID}} {{.PIDs}}', 'st']);
    assert.equal(f.stdout, `st st ${id} 1\n`, f.stderr);
    const json = JSON.parse((await ctx.d.berth(['stats', '--no-stream', '--format', 'json', 'st'])).stdout);
    assert.deepEqual(Object.keys(json), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
    const all = await ctx.d.berth(['stats', '--no-stream', '--format', '{{.Name}}']);
    assert.equal(all.stdout, 'st\n');
    const missing = await ctx.d.berth(['stats', '--no-stream', 'st', 'no-such-ctr']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'Error response from daemon: No such container: no-such-ctr');
  } finally {
    await ctx.d.berth(['rm', '-f', id]);
  }
});

test('berth stats streams a table per refresh to a pipe and ends on Ctrl-C with status 130', { timeout: 120_000 }, async () => {
  const id = await runDetached('live');
  const root = path.resolve(__dirname, '../../..');
  const child = spawn(path.join(root, 'bin/berth'), ['stats', '--format', 'table {{.Name}}\t{{.PIDs}}'], {
    env: { ...process.env, BERTH_HOST: ctx.d.host }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b) => { out += b; if (out.split('NAME').length > 2) resolve(); });
      child.once('exit', () => reject(new Error(`stats ended early: ${err}`)));
    });
    child.kill('SIGINT');
    assert.equal(await exited, 130, err);
    assert.equal(err, '');
    const tables = out.split(/(?=^NAME)/m);
    assert.ok(tables.length >= 2);
    for (const t of tables.slice(0, 2)) assert.match(t, /^NAME\s+PIDS\nlive\s+1\n$/);
    assert.doesNotMatch(out, /\x1b\[/, 'no terminal escapes on a pipe');
  } finally {
    child.kill('SIGKILL');
    await ctx.d.berth(['rm', '-f', id]);
  }
});

test('berth stats in a terminal redraws the table in place until Ctrl-C', { timeout: 120_000 }, async () => {
  const id = await runDetached('tty');
  const root = path.resolve(__dirname, '../../..');
  // script(1) gives berth a pseudo-terminal; a ^C typed into it reaches berth as SIGINT, as from a keyboard.
  const child = spawn('script', ['-qfec', `${path.join(root, 'bin/berth')} stats tty`, '/dev/null'], {
    env: { ...process.env, BERTH_HOST: ctx.d.host }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b) => { out += b; if (out.split('\x1b[H').length > 3) resolve(); });
      child.once('exit', () => reject(new Error(`stats ended early: ${out}`)));
    });
    child.stdin.write('\x03');
    assert.equal(await exited, 130, out);
    assert.ok(out.startsWith('\x1b[2J\x1b[H'), JSON.stringify(out.slice(0, 40)));
    const frames = out.split('\x1b[H').slice(1, 3);
    for (const f of frames) assert.match(f, new RegExp(`^CONTAINER ID .*PIDS\x1b\\[K\r\n${id.slice(0, 12)}\\s+tty\\s+.*\\s1\x1b\\[K\r\n\x1b\\[J`));
  } finally {
    child.kill('SIGKILL');
    await ctx.d.berth(['rm', '-f', id]);
  }
});

test('berth system df shows the four summary rows and, with -v, the four sections', async () => {
  const vol = await ctx.d.berth(['volume', 'create', 'dfvol']);
  assert.equal(vol.code, 0, vol.stderr);
  const id = await runDetached('dfc', ['-v', 'dfvol:/data']);
  try {
    const r = await ctx.d.berth(['system', 'df']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    assert.match(lines[1], /^Images\s+1\s+1\s+[\d.]+[kM]B\s+0B \(0%\)$/);
    assert.match(lines[2], /^Containers\s+1\s+1\s+[\d.]+k?B\s+0B/);
    assert.match(lines[3], /^Local Volumes\s+1\s+1\s+[\d.]+k?B\s+0B/);
    assert.match(lines[4], /^Build Cache\s+0\s+0\s+0B\s+0B$/);
    assert.equal(lines.length, 5);

    const v = await ctx.d.berth(['system', 'df', '-v']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\nbusybox\s+latest\s+[0-9a-f]{12}\s+.+\s+1\n/);
    assert.match(v.stdout, new RegExp(`\\nContainers space usage:\\n\\nCONTAINER ID\\s+IMAGE\\s+COMMAND\\s+LOCAL VOLUMES\\s+SIZE\\s+CREATED\\s+STATUS\\s+NAMES\\n${id.slice(0, 12)}\\s+busybox\\s+"sleep 1000"\\s+1\\s+`));
    assert.match(v.stdout, /\nLocal Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\ndfvol\s+1\s+\S+\n/);
    assert.match(v.stdout, /\nBuild cache usage: 0B\n\nCACHE ID\s+CACHE TYPE\s+SIZE\s+CREATED\s+LAST USED\s+USAGE\s+SHARED\n$/);

    const f = await ctx.d.berth(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}']);
    assert.equal(f.stdout, 'Images=1\nContainers=1\nLocal Volumes=1\nBuild Cache=0\n');
    const vf = await ctx.d.berth(['system', 'df', '-v', '--format', '{{range .Volumes}}{{.Name}}:{{.Links}}{{end}}']);
    assert.equal(vf.stdout, 'dfvol:1\n');
  } finally {
    await ctx.d.berth(['rm', '-f', id]);
    await ctx.d.berth(['volume', 'rm', 'dfvol']);
  }
});
