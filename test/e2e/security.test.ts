// Docker's sandbox through berthd: capabilities, privileged, seccomp, no-new-privileges, masked paths, tmpfs, devices, ulimits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useDaemon } from './harness';

const ctx = useDaemon();

const capEff = async (args: string[]) => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', ...args, 'busybox', 'sh', '-c', 'grep CapEff /proc/self/status']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split(/\s+/)[1];
};

test("the default capability set is Docker's", async () => {
  assert.equal(await capEff([]), '00000000a80425fb');
});

test('--cap-drop ALL leaves none, --cap-add adds one, bad names are 400', async () => {
  assert.equal(await capEff(['--cap-drop', 'ALL']), '0000000000000000');
  assert.equal(await capEff(['--cap-add', 'NET_ADMIN']), (0xa80425fbn | (1n << 12n)).toString(16).padStart(16, '0'));
  assert.equal(await capEff(['--cap-drop', 'ALL', '--cap-add', 'cap_chown']), '0000000000000001');
  const bad = await ctx.d.docker(['create', '--network', 'none', '--cap-add', 'NOPE', 'busybox']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unknown capability: "CAP_NOPE"/);
});

test('--privileged has every capability, can mount, and sees host devices', async () => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', '--privileged', 'busybox', 'sh', '-c',
    'grep CapEff /proc/self/status; mkdir /m && mount -t tmpfs none /m && echo mounted; test -e /dev/kmsg && echo kmsg; touch /sys/berth-probe 2>&1 | grep -c "Read-only" || true']);
  assert.equal(r.code, 0, r.stderr);
  // Every capability the daemon itself may hand out (its bounding set; Docker's is all the kernel knows).
  const own = /CapBnd:\s+([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1];
  assert.match(r.stdout, new RegExp(`CapEff:\\s+${own}`));
  assert.match(r.stdout, /mounted/);
  assert.match(r.stdout, /kmsg/);
  assert.match(r.stdout, /^0$/m); // /sys is writable (the touch fails for another reason, not read-only)
});

test('the default seccomp profile blocks unshare; unconfined with SYS_ADMIN allows it', async () => {
  const blocked = await ctx.d.docker(['run', '--rm', '--network', 'none', '--cap-add', 'SYS_ADMIN', 'busybox', 'unshare', '-m', 'true']);
  // With CAP_SYS_ADMIN Docker's profile allows unshare, so compare against a container without it.
  assert.equal(blocked.code, 0, blocked.stderr);
  const denied = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'unshare', '-m', 'true']);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Operation not permitted/);
  const keyctl = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'grep Seccomp: /proc/self/status']);
  assert.match(keyctl.stdout, /Seccomp:\s+2/);
  const unconfined = await ctx.d.docker(['run', '--rm', '--network', 'none', '--security-opt', 'seccomp=unconfined', 'busybox', 'sh', '-c', 'grep Seccomp: /proc/self/status']);
  assert.match(unconfined.stdout, /Seccomp:\s+0/);
});

test('a custom seccomp profile file is applied', async () => {
  const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/berth-seccomp-');
  try {
    const file = `${dir}/profile.json`;
    writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
    const r = await ctx.d.docker(['run', '--rm', '--network', 'none', '--security-opt', `seccomp=${file}`, 'busybox', 'mkdir', '/x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Operation not permitted/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no-new-privileges shows in /proc/self/status', async () => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', '--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status']);
  assert.match(r.stdout, /NoNewPrivs:\s+1/, r.stderr);
  const bad = await ctx.d.docker(['create', '--network', 'none', '--security-opt', 'bogus=1', 'busybox']);
  assert.match(bad.stderr, /invalid --security-opt 2: "bogus=1"/);
});

test('masked paths are empty and /proc/sys is read-only', async () => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c',
    'wc -c < /proc/timer_list; echo 1 > /proc/sys/kernel/domainname && echo wrote || echo refused']);
  assert.equal(r.stdout, '0\nrefused\n', r.stderr);
});

test('--read-only with --tmpfs leaves only the tmpfs writable', async () => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', '--read-only', '--tmpfs', '/run:size=1m', 'busybox', 'sh', '-c',
    'touch /run/ok && echo run-ok; touch /nope 2>/dev/null || echo root-ro; grep " /run " /proc/mounts']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /run-ok\nroot-ro\n/);
  assert.match(r.stdout, /tmpfs \/run tmpfs rw,nosuid,nodev,noexec.*size=1024k/);
});

test('--device adds the node and allows it', async () => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', '--device', '/dev/null:/dev/mynull', 'busybox', 'sh', '-c', 'echo x > /dev/mynull && ls -l /dev/mynull']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^crw.* 1,\s+3 .*\/dev\/mynull/);
  const missing = await ctx.d.docker(['run', '--rm', '--network', 'none', '--device', '/dev/no-such-dev', 'busybox', 'true']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /error gathering device information while adding custom device "\/dev\/no-such-dev"/);
});

test("--ulimit sets rlimits, never above the daemon's own", async () => {
  const r = await ctx.d.docker(['run', '--rm', '--network', 'none', '--ulimit', 'nofile=512:1024', '--ulimit', 'core=0:0', 'busybox', 'sh', '-c', 'ulimit -n; ulimit -Hn; ulimit -c']);
  assert.equal(r.stdout, '512\n1024\n0\n', r.stderr);
  const over = await ctx.d.docker(['create', '--network', 'none', '--ulimit', 'nofile=1024:99999999', 'busybox']);
  assert.notEqual(over.code, 0);
  assert.match(over.stderr, /exceeds the daemon's own hard limit/);
  const inspect = await ctx.d.docker(['create', '--network', 'none', '--cap-add', 'NET_ADMIN', '--ulimit', 'nofile=10:20', '--security-opt', 'no-new-privileges', 'busybox']);
  const id = inspect.stdout.trim();
  const hc = JSON.parse((await ctx.d.docker(['inspect', '--format', '{{json .HostConfig}}', id])).stdout);
  assert.deepEqual(hc.CapAdd, ['CAP_NET_ADMIN']); // the CLI sends the canonical name
  assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }]);
  assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
  await ctx.d.docker(['rm', id]);
});
