// `docker run` through berthd: output, exit codes, the process environment, stdin, TTY, isolation and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { useDaemon } from './harness';

const ctx = useDaemon();

test('run echoes and exits with the container code', async () => {
  const ok = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hello world']);
  assert.equal(ok.stdout, 'hello world\n', ok.stderr);
  assert.equal(ok.code, 0);
  const fail = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 42']);
  assert.equal(fail.code, 42);
  assert.equal(fail.stdout, 'out\n');
  assert.equal(fail.stderr, 'err\n');
});

test('-e, -w and -u shape the process', async () => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', '-e', 'GREETING=hi there', '-w', '/made/here', '-u', 'nobody',
    'busybox', 'sh', '-c', 'echo "$GREETING"; pwd; id -u; id -g; echo $HOME']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['hi there', '/made/here', '65534', '65534', '/home']);
  const uidgid = await ctx.d.docker(['run', '--rm', '--network', 'none', '-u', '1234:99', 'busybox', 'sh', '-c', 'id -u; id -g']);
  assert.equal(uidgid.stdout, '1234\n99\n', uidgid.stderr);
  const hostname = await ctx.d.docker(['run', '--rm', '--network', 'none', '--hostname', 'box1', 'busybox', 'hostname']);
  assert.equal(hostname.stdout, 'box1\n');
});

test('the hostname is the short ID, and /etc files are Docker\'s', async () => {
  const r = await ctx.d.docker(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'hostname; cat /etc/hosts; cat /etc/resolv.conf; sleep 30']);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/, r.stderr);
  await new Promise((res) => setTimeout(res, 300));
  const logs = await ctx.d.docker(['logs', id]);
  assert.equal(logs.stdout.split('\n')[0], id.slice(0, 12));
  assert.match(logs.stdout, /127\.0\.0\.1\tlocalhost/);
  assert.match(logs.stdout, /nameserver /);
  await ctx.d.docker(['rm', '-f', id]);
});

test('-i passes piped stdin and closes it at EOF', async () => {
  const r = await ctx.d.docker(['run', '--rm', '-i', '--network', 'none', 'busybox', 'sh', '-c', 'tr a-z A-Z; echo done'], { input: 'piped text\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'PIPED TEXT\ndone\n');
});

test('-t gives the process a terminal', async () => {
  const r = await ctx.d.docker(['run', '--rm', '-t', '--network', 'none', 'busybox', 'sh', '-c', 'test -t 1 && echo tty; tty']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^tty\r\n\/dev\/pts\/\d+\r\n$/);
});

test('a missing command exits 127, a non-executable one 126, as Docker does', async () => {
  const missing = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'no-such-binary']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /executable file not found/);
  const denied = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', '/etc/passwd']);
  assert.equal(denied.code, 126);
  assert.match(denied.stderr, /permission denied/);
});

test('an unknown image is a 404 "No such image"', async () => {
  await assert.rejects(ctx.d.client.json('POST', '/containers/create', { body: { Image: 'nosuchimage' } }),
    (err: { statusCode: number; message: string }) => err.statusCode === 404 && /No such image: nosuchimage/.test(err.message));
  const r = await ctx.d.docker(['run', '--rm', 'nosuchimage']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /Unable to find image 'nosuchimage:latest' locally/);
});

test('a duplicate name is a 409, invalid parameters a 400', async () => {
  const a = await ctx.d.docker(['create', '--name', 'twin', '--network', 'none', 'busybox', 'true']);
  assert.equal(a.code, 0, a.stderr);
  const b = await ctx.d.docker(['create', '--name', 'twin', '--network', 'none', 'busybox', 'true']);
  assert.equal(b.code, 1, 'docker create exits 1 on a daemon error');
  assert.match(b.stderr, /Conflict\. The container name "\/twin" is already in use/);
  await assert.rejects(ctx.d.client.json('POST', '/containers/create', { query: { name: 'twin' }, body: { Image: 'busybox' } }),
    (err: { statusCode: number }) => err.statusCode === 409);
  await assert.rejects(ctx.d.client.json('POST', '/containers/create', { query: { name: 'bad name!' }, body: { Image: 'busybox' } }),
    (err: { statusCode: number; message: string }) => err.statusCode === 400 && /Invalid container name/.test(err.message));
  await assert.rejects(ctx.d.client.request('POST', '/containers/create', { body: '{not json', headers: { 'Content-Type': 'application/json' } }),
    (err: { statusCode: number }) => err.statusCode === 400);
  await assert.rejects(ctx.d.client.json('POST', '/containers/create', { body: { Image: 'busybox', Cmd: ['true'], WorkingDir: 'relative' } }),
    (err: { statusCode: number }) => err.statusCode === 400);
  await ctx.d.docker(['rm', 'twin']);
});

test('writes in a container never reach the image or another container', async () => {
  const w = await ctx.d.docker(['run', '--name', 'writer', '--network', 'none', 'busybox', 'sh', '-c', 'echo changed > /etc/motd; rm /bin/ls; cat /etc/motd']);
  assert.equal(w.stdout, 'changed\n', w.stderr);
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'cat /etc/motd 2>&1; ls / >/dev/null && echo ls-present']);
  assert.match(r.stdout, /No such file/);
  assert.match(r.stdout, /ls-present/);
  await ctx.d.docker(['rm', 'writer']);
});

test('bind mounts: read-write shares files, :ro refuses writes', async () => {
  const dir = mkdtempSync('/tmp/berth-bind-');
  try {
    writeFileSync(`${dir}/in.txt`, 'from host\n');
    const rw = await ctx.d.docker(['run', '--rm', '--network', 'none', '-v', `${dir}:/data`, 'busybox', 'sh', '-c', 'cat /data/in.txt; echo back > /data/out.txt']);
    assert.equal(rw.stdout, 'from host\n', rw.stderr);
    assert.equal(readFileSync(`${dir}/out.txt`, 'utf8'), 'back\n');
    const ro = await ctx.d.docker(['run', '--rm', '--network', 'none', '-v', `${dir}:/data:ro`, 'busybox', 'sh', '-c', 'echo x > /data/nope.txt']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(existsSync(`${dir}/nope.txt`), false);
    const mnt = await ctx.d.docker(['run', '--rm', '--network', 'none', '--mount', `type=bind,source=${dir},target=/m,readonly`, 'busybox', 'cat', '/m/in.txt']);
    assert.equal(mnt.stdout, 'from host\n', mnt.stderr);
    const missing = await ctx.d.docker(['run', '--rm', '--network', 'none', '--mount', 'type=bind,source=/no/such/dir,target=/m', 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /bind source path does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--network host shares the host network namespace', async () => {
  const inside = await ctx.d.docker(['run', '--rm', '--network', 'host', 'busybox', 'cat', '/proc/net/dev']);
  const hostDev = readFileSync('/proc/net/dev', 'utf8').split('\n').map((l) => l.split(':')[0].trim()).filter(Boolean).slice(2).sort();
  const ctrDev = inside.stdout.split('\n').map((l) => l.split(':')[0].trim()).filter(Boolean).slice(2).sort();
  assert.deepEqual(ctrDev.filter((x) => !x.startsWith('veth')), hostDev.filter((x) => !x.startsWith('veth')));
  const none = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'cat', '/proc/net/dev']);
  assert.deepEqual(none.stdout.split('\n').map((l) => l.split(':')[0].trim()).filter(Boolean).slice(2), ['lo']);
});
