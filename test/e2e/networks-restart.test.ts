// Networks across daemon restarts and crashes: ports and names keep working, and teardown leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { run, useDaemon } from './harness';
import { eventually, httpGet } from './net-helpers';
import { ownedRules } from './net-cleanup';

const ctx = useDaemon();

async function snapshot(bridges: string[]): Promise<{ netns: string; veths: string[] }> {
  const netns = (await run('ip', ['netns', 'list'])).stdout;
  const veths: string[] = [];
  for (const b of bridges) {
    const r = await run('ip', ['-o', 'link', 'show', 'master', b]);
    veths.push(...r.stdout.split('\n').filter(Boolean));
  }
  return { netns, veths };
}

test('a restarted or crashed daemon keeps published ports and names working, and tears down what exited meanwhile', async () => {
  const before = await snapshot([ctx.d.bridge]);
  assert.equal((await ctx.d.docker(['network', 'create', 'keep'])).code, 0);
  const keepBridge = (await ctx.d.docker(['network', 'inspect', '-f', '{{.Id}}', 'keep'])).stdout.trim().slice(0, 12);
  const web = await ctx.d.docker(['run', '-d', '--name', 'web', '--network', 'keep', '-p', '18580:80', 'busybox', 'sh', '-c', 'echo kept > /i.html; httpd -f -p 80 -h /']);
  assert.equal(web.code, 0, web.stderr);
  const client = (await ctx.d.docker(['run', '-d', '--name', 'client', '--network', 'keep', 'busybox', 'sleep', '600'])).stdout.trim();
  const fetchByName = async () => {
    const r = await ctx.d.docker(['exec', 'client', 'wget', '-qO-', 'http://web/i.html']);
    if (r.stdout !== 'kept\n') throw new Error(`by name: ${r.stdout} ${r.stderr}`);
  };
  assert.equal((await eventually(() => httpGet('http://127.0.0.1:18580/i.html'))).body, 'kept\n');
  await eventually(fetchByName);

  await ctx.d.stop();
  await ctx.d.restart();
  assert.equal((await httpGet('http://127.0.0.1:18580/i.html')).body, 'kept\n', 'published port after a clean restart');
  await eventually(fetchByName, 20);

  // A container that exits while the daemon is dead: its sandbox and port go at the next start.
  const short = (await ctx.d.docker(['run', '-d', '-p', '18581:80', 'busybox', 'sleep', '600'])).stdout.trim();
  const shortPid = Number((await ctx.d.docker(['inspect', '-f', '{{.State.Pid}}', short])).stdout.trim());
  await ctx.d.kill9();
  process.kill(shortPid, 'SIGKILL');
  await ctx.d.restart();
  assert.equal((await httpGet('http://127.0.0.1:18580/i.html')).body, 'kept\n', 'published port after a crash');
  await eventually(fetchByName, 20);
  assert.equal((await ctx.d.docker(['inspect', '-f', '{{.State.Running}}', short])).stdout.trim(), 'false');
  assert.ok(!existsSync(path.join(ctx.d.execRoot, 'netns', short)), 'the exited container\'s netns file is gone');
  const reuse = await ctx.d.docker(['run', '-d', '-p', '18581:80', 'busybox', 'sleep', '600']);
  assert.equal(reuse.code, 0, `the port of the exited container is free again: ${reuse.stderr}`);

  const ids = [client, short, reuse.stdout.trim(), (await ctx.d.docker(['inspect', '-f', '{{.Id}}', 'web'])).stdout.trim()];
  assert.equal((await ctx.d.docker(['rm', '-f', ...ids])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'rm', 'keep'])).code, 0);

  const after = await snapshot([ctx.d.bridge, `br-${keepBridge}`]);
  assert.deepEqual(after, before, 'no veth on our bridges, ip netns unchanged');
  assert.equal((await run('ip', ['link', 'show', `br-${keepBridge}`])).code, 1, 'the user network\'s bridge is gone');
  assert.deepEqual(readdirSync(path.join(ctx.d.execRoot, 'netns')), []);
  for (const table of ['filter', 'nat']) {
    assert.deepEqual(ownedRules(table, [`br-${keepBridge}`], ids, 'BERTH-none'), [], `no ${table} rule of a removed container or network`);
  }
  const ipam = path.join(ctx.d.dataRoot, 'cni', 'ipam');
  const leases = readdirSync(ipam).flatMap((n) => readdirSync(path.join(ipam, n)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)));
  assert.deepEqual(leases, [], 'no IP allocation left');
});
