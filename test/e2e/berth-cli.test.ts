// The berth CLI against berthd: the base image command, run, ps, logs, inspect, stop, rm, images, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDaemon } from './harness';

const ctx = useDaemon({ busybox: false });

test('berth image busybox makes the offline base image', async () => {
  const r = await ctx.d.berth(['image', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  const images = await ctx.d.berth(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.equal(images.stdout.trim(), 'busybox:latest');
});

test('berth run prints output and passes the exit code through', async () => {
  const r = await ctx.d.berth(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hi from berth']);
  assert.equal(r.stdout, 'hi from berth\n', r.stderr);
  assert.equal(r.code, 0);
  assert.equal((await ctx.d.berth(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'exit 4'])).code, 4);
  const missing = await ctx.d.berth(['run', '--rm', '--network', 'none', 'busybox', 'nope-cmd']);
  assert.equal(missing.code, 127);
  const piped = await ctx.d.berth(['run', '--rm', '-i', '--network', 'none', 'busybox', 'wc', '-c'], { input: 'four' });
  assert.equal(piped.stdout.trim(), '4');
  const noImage = await ctx.d.berth(['run', '--rm', 'ghost-image']);
  assert.equal(noImage.code, 125);
  assert.match(noImage.stderr, /Unable to find image 'ghost-image:latest' locally/);
});

test('berth ps, logs, inspect, stop and rm drive a detached container', async () => {
  const run = await ctx.d.berth(['run', '-d', '--name', 'cli-bg', '--network', 'none', 'busybox', 'sh', '-c', 'echo up; sleep 100']);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  const ps = await ctx.d.berth(['ps']);
  assert.match(ps.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/);
  assert.match(ps.stdout, new RegExp(`${id.slice(0, 12)}\\s+busybox\\s+"sh -c echo up; slee…"\\s+.*Up .*cli-bg`));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await ctx.d.berth(['logs', 'cli-bg'])).stdout, 'up\n');
  assert.equal((await ctx.d.berth(['inspect', '--format', '{{.State.Status}}', 'cli-bg'])).stdout, 'running\n');
  assert.equal((await ctx.d.berth(['stop', '-t', '1', 'cli-bg'])).stdout, 'cli-bg\n');
  assert.equal((await ctx.d.berth(['inspect', '-f', '{{.State.ExitCode}}', id])).stdout, '137\n');
  assert.equal((await ctx.d.berth(['rm', 'cli-bg'])).code, 0);
  const gone = await ctx.d.berth(['inspect', 'cli-bg']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such object: cli-bg/);
});

test('berth exec runs in a running container and passes its exit code', async () => {
  const id = (await ctx.d.berth(['run', '-d', '--network', 'none', 'busybox', 'sleep', '100'])).stdout.trim();
  try {
    const r = await ctx.d.berth(['exec', '-e', 'X=1', '-w', '/tmp', id, 'sh', '-c', 'echo $X $(pwd); exit 6']);
    assert.equal(r.stdout, '1 /tmp\n', r.stderr);
    assert.equal(r.code, 6);
    const piped = await ctx.d.berth(['exec', '-i', id, 'cat'], { input: 'through stdin' });
    assert.equal(piped.stdout, 'through stdin');
  } finally {
    await ctx.d.berth(['rm', '-f', id]);
  }
});
