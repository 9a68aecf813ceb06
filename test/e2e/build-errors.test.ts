// Bad input to POST /build answered clearly: syntax errors with lines, unknown instructions, paths outside the context, hostile tars, missing bases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pack } from 'tar-stream';
import { useDaemon } from './harness';

const ctx = useDaemon();

type Entry = { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: 0o644 }, e.body ?? '');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** POST /build with a tar body; the JSON lines it answered. */
async function build(body: Buffer, query: Record<string, string> = {}): Promise<Array<Record<string, unknown>>> {
  const res = await ctx.d.client.request('POST', '/build', { query: { networkmode: 'none', ...query }, body, headers: { 'Content-Type': 'application/x-tar' } });
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString().split(/\r?\n/).filter(Boolean).map((l) => JSON.parse(l));
}

const errorOf = (lines: Array<Record<string, unknown>>) => lines.find((l) => l.error)?.error as string | undefined;

test('syntax errors and unknown instructions name the line', async () => {
  const dir = path.join(ctx.d.dir, 'syntax');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\n# comment\nRUN true\nFROOM x\n');
  const r = await ctx.d.docker(['build', dir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /dockerfile parse error on line 4: unknown instruction: FROOM/);
  assert.match(errorOf(await build(await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nENV A=1 B\n' }]))) ?? '', /line 2: Syntax error - can't find = in "B"/);
  assert.match(errorOf(await build(await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nRUN <<EOF\necho\n' }]))) ?? '', /line 2: unterminated heredoc EOF/);
});

test('a missing base image, Dockerfile or COPY source are clear errors', async () => {
  assert.match(errorOf(await build(await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nCOPY nothere /x\n' }]))) ?? '',
    /^COPY failed: file not found in build context or excluded by .dockerignore: stat nothere: file does not exist$/);
  assert.match(errorOf(await build(await tarOf([{ name: 'Dockerfile', body: 'FROM nosuchimage:1\n' }]))) ?? '', /No such image: nosuchimage:1/);
  assert.match(errorOf(await build(await tarOf([{ name: 'other', body: 'x' }]))) ?? '', /Cannot locate specified Dockerfile: Dockerfile/);
});

test('COPY of a path outside the context is refused', async () => {
  for (const src of ['../etc/passwd', 'a/../../etc/passwd']) {
    const lines = await build(await tarOf([{ name: 'Dockerfile', body: `FROM busybox\nCOPY ${src} /x\n` }, { name: 'a/f', body: '' }]));
    assert.match(errorOf(lines) ?? '', /forbidden path outside the build context/, src);
  }
});

test('a context whose symlinks point out of it is refused and nothing is read from the host', async () => {
  const secretDir = mkdtempSync('/tmp/berth-secret-');
  try {
    writeFileSync(path.join(secretDir, 'secret'), 'host secret\n');
    for (const link of [path.join(secretDir, 'secret'), `../../../../../../../../..${secretDir}/secret`, secretDir]) {
      const lines = await build(await tarOf([
        { name: 'Dockerfile', body: 'FROM busybox\nCOPY evil /stolen\nCOPY evil/secret /stolen2\n' },
        { name: 'evil', type: 'symlink', linkname: link },
      ]));
      assert.match(errorOf(lines) ?? '', /forbidden path outside the build context|not found/, link);
      assert.ok(!JSON.stringify(lines).includes('Successfully built'));
    }
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
});

test('a context tar with .. and absolute entries writes nothing outside', async () => {
  const outside = mkdtempSync('/tmp/berth-escape-');
  try {
    const lines = await build(await tarOf([
      { name: `../../../../../../..${outside}/dotdot`, body: 'escaped' },
      { name: `${outside}/absolute`, body: 'escaped' },
      { name: 'up', type: 'symlink', linkname: outside },
      { name: 'up/via-link', body: 'escaped' },
      { name: 'Dockerfile', body: 'FROM busybox\nCOPY . /ctx\n' },
    ]));
    for (const f of ['dotdot', 'absolute', 'via-link']) assert.equal(existsSync(path.join(outside, f)), false, f);
    assert.ok(lines.length > 0);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('unsupported protocol options answer 501 and the build cache can be pruned', async () => {
  const remote = await ctx.d.client.request('POST', '/build', { query: { remote: 'https://example.com/x.git' } }).catch((e) => e);
  assert.equal(remote.statusCode, 501);
  const bad = await ctx.d.client.request('POST', '/build', { query: { buildargs: '{not json' } }).catch((e) => e);
  assert.equal(bad.statusCode, 400);
  const lines = await build(await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nENV X=1\n' }]));
  assert.ok(lines.some((l) => l.aux), JSON.stringify(lines));
  const df = JSON.parse((await ctx.d.docker(['system', 'df', '--format', '{{json .}}'])).stdout.split('\n').find((l) => l.includes('Build Cache')) ?? '{}');
  assert.equal(df.Type, 'Build Cache');
  const prune = await ctx.d.docker(['builder', 'prune', '-f']);
  assert.equal(prune.code, 0, prune.stderr);
  const again = await build(await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nENV X=1\n' }]));
  assert.ok(!again.some((l) => String(l.stream).includes('Using cache')));
});

test('a context cut inside a file is refused and the daemon carries on', async () => {
  const whole = await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\n' }, { name: 'big', body: 'x'.repeat(4000) }]);
  const lines = await build(whole.subarray(0, 512 + 512 + 512 + 1000));
  assert.match(errorOf(lines) ?? '', /invalid tar stream: Unexpected end of data/);
  assert.equal((await ctx.d.docker(['version', '--format', '{{.Server.Version}}'])).code, 0, 'berthd still answers');
});

test('rm=0 keeps intermediate containers; a failed step\'s container stays unless forcerm', async () => {
  const containers = async () => (await ctx.d.docker(['ps', '-aq', '--no-trunc'])).stdout.trim().split('\n').filter(Boolean);
  const before = await containers();
  const ok = await build(await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nRUN echo kept > /k\n' }]), { rm: '0', nocache: '1' });
  assert.ok(ok.some((l) => l.aux), JSON.stringify(ok));
  const kept = (await containers()).filter((c) => !before.includes(c));
  assert.equal(kept.length, 1, 'the step\'s container is kept with rm=0');
  const failing = await tarOf([{ name: 'Dockerfile', body: 'FROM busybox\nRUN exit 2\n' }]);
  assert.match(errorOf(await build(failing)) ?? '', /returned a non-zero code: 2/);
  const afterFail = (await containers()).filter((c) => !before.includes(c) && !kept.includes(c));
  assert.equal(afterFail.length, 1, 'a failed step leaves its container by default');
  await build(failing, { forcerm: '1' });
  assert.equal((await containers()).length, before.length + 2, 'forcerm removes even a failed step\'s container');
  await ctx.d.docker(['rm', '-f', ...kept, ...afterFail]);
});
