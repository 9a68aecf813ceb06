// A registry behind htpasswd: anonymous and wrong credentials refused as Docker words it, login stores credentials, push and pull with them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { useDaemon } from './harness';
import { haveRegistry, startRegistry, type TestRegistry } from './registry';

const ctx = useDaemon();
let reg: TestRegistry;
const user = { name: 'berth', password: 's3cret-pass' };

before(async () => {
  if (haveRegistry()) reg = await startRegistry({ user });
});
after(async () => {
  await reg?.stop();
});

const skip = !haveRegistry() && 'docker-registry is not installed (apt-get install docker-registry)';

test('without credentials a push is refused; wrong credentials are a 401 on login', { skip }, async () => {
  const img = `${reg.host}/private/box:1`;
  assert.equal((await ctx.d.docker(['tag', 'busybox', img])).code, 0);
  const anon = await ctx.d.docker(['push', img]);
  assert.notEqual(anon.code, 0);
  assert.match(anon.stderr + anon.stdout, /unauthorized: authentication required/);
  const wrong = await ctx.d.docker(['login', '-u', user.name, '--password-stdin', reg.host], { input: 'wrong\n' });
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /401 Unauthorized/);
  const api = await ctx.d.client.request('POST', '/auth', { body: { username: user.name, password: 'nope', serveraddress: reg.host } }).then(() => 0, (e) => e.statusCode);
  assert.equal(api, 401);
  const pull = await ctx.d.docker(['pull', img]);
  assert.notEqual(pull.code, 0);
  assert.match(pull.stderr, /pull access denied for 127\.0\.0\.1:\d+\/private\/box, repository does not exist or may require 'docker login'/);
});

test('docker login then push, rmi, pull back and run; berth login/logout keep config.json in docker format', { skip }, async () => {
  const img = `${reg.host}/private/box:2`;
  const login = await ctx.d.docker(['login', '-u', user.name, '--password-stdin', reg.host], { input: `${user.password}\n` });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);
  await ctx.d.docker(['tag', 'busybox', img]);
  const push = await ctx.d.docker(['push', img]);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((await ctx.d.docker(['rmi', img])).code, 0);
  assert.equal((await ctx.d.docker(['rmi', '-f', ctx.busyboxId])).code, 0);
  const pull = await ctx.d.docker(['pull', img]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /Pull complete/);
  const out = await ctx.d.docker(['run', '--rm', '--network', 'none', img, 'echo', 'private']);
  assert.equal(out.stdout.trim(), 'private', out.stderr);
  assert.equal((await ctx.d.docker(['tag', img, 'busybox:latest'])).code, 0);

  const cfgFile = path.join(ctx.d.dir, 'docker-config', 'config.json');
  assert.equal((await ctx.d.berth(['logout', reg.host])).stdout.trim(), `Removing login credentials for ${reg.host}`);
  assert.equal(JSON.parse(readFileSync(cfgFile, 'utf8')).auths[reg.host], undefined);
  const bl = await ctx.d.berth(['login', '-u', user.name, '--password-stdin', reg.host], { input: `${user.password}\n` });
  assert.equal(bl.code, 0, bl.stderr);
  assert.ok(existsSync(cfgFile));
  assert.equal(JSON.parse(readFileSync(cfgFile, 'utf8')).auths[reg.host].auth, Buffer.from(`${user.name}:${user.password}`).toString('base64'));
  const bpull = await ctx.d.berth(['pull', img]);
  assert.equal(bpull.code, 0, bpull.stderr);
  const bad = await ctx.d.berth(['login', '-u', user.name, '--password-stdin', reg.host], { input: 'bad\n' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /401 Unauthorized/);
});
