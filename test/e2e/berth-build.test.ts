// `berth build`: folder, tarball and stdin contexts, .dockerignore, -f, build args, labels, --iidfile, -q, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, useDaemon } from './harness';
import { contextFolder } from './build-helpers';

const ctx = useDaemon();

const folder = (name: string, files: Record<string, string>) => contextFolder(ctx.d, name, files);

test('a folder context with .dockerignore, -f, --build-arg, --label, --iidfile and -t', async () => {
  const dir = folder('app', {
    'build/App.dockerfile': 'FROM busybox\nARG WHO=nobody\nCOPY . /src/\nRUN echo "built by $WHO" > /who\nCMD ["sh", "-c", "cat /who; ls -a /src; ls /src/sub"]\n',
    'main.txt': 'm', 'skip.log': 'x', 'sub/keep.log': 'k', 'sub/drop.tmp': 'd',
    '.dockerignore': '*.log\n**/*.tmp\n!sub/keep.log\n',
  });
  const iid = path.join(ctx.d.dir, 'iid');
  const r = await ctx.d.berth(['build', '--network', 'none', '-f', path.join(dir, 'build/App.dockerfile'), '--build-arg', 'WHO=berth',
    '--label', 'team=core', '--iidfile', iid, '-t', 'app:1', dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Step 1\/6 : FROM busybox/);
  assert.match(r.stdout, /Step 6\/6 : LABEL team=core/);
  assert.match(r.stdout, /Successfully tagged app:1\n/);
  const id = readFileSync(iid, 'utf8');
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const out = await ctx.d.berth(['run', '--rm', '--network', 'none', 'app:1']);
  assert.equal(out.stdout, 'built by berth\n.\n..\n.dockerignore\nbuild\nmain.txt\nsub\nkeep.log\n');
  const label = await ctx.d.docker(['image', 'inspect', '--format', '{{index .Config.Labels "team"}} {{.Id}}', 'app:1']);
  assert.equal(label.stdout.trim(), `core ${id}`);
});

test('a Dockerfile on stdin, a tarball context, -f - with a folder, -q and --no-cache', async () => {
  const piped = await ctx.d.berth(['build', '--network', 'none', '-q', '-'], { input: 'FROM busybox\nRUN echo piped > /p\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const dir = folder('tarred', { Dockerfile: 'FROM busybox\nCOPY hello /hello\nCMD ["cat", "/hello"]\n', hello: 'from a tarball\n' });
  const tarball = path.join(ctx.d.dir, 'ctx.tar');
  const tar = await run('tar', ['-C', dir, '-cf', tarball, '.']);
  assert.equal(tar.code, 0, tar.stderr);
  const built = await ctx.d.berth(['build', '-t', 'fromtar', tarball]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal((await ctx.d.berth(['run', '--rm', '--network', 'none', 'fromtar'])).stdout, 'from a tarball\n');
  const stdinTar = await ctx.d.berth(['build', '--no-cache', '-'], { input: readFileSync(tarball) });
  assert.equal(stdinTar.code, 0, stdinTar.stderr);
  assert.doesNotMatch(stdinTar.stdout, /Using cache/);
  const dashF = await ctx.d.berth(['build', '-q', '-f', '-', dir], { input: 'FROM busybox\nCOPY hello /from-stdin-dockerfile\n' });
  assert.equal(dashF.code, 0, dashF.stderr);
  const cat = await ctx.d.berth(['run', '--rm', '--network', 'none', dashF.stdout.trim(), 'cat', '/from-stdin-dockerfile']);
  assert.equal(cat.stdout, 'from a tarball\n');
});

test('a failing step exits with its code; a missing context is an error; --pull warns', async () => {
  const r = await ctx.d.berth(['build', '--network', 'none', '-'], { input: 'FROM busybox\nRUN echo oops; exit 7\n' });
  assert.equal(r.code, 7);
  assert.match(r.stdout, /oops/);
  assert.match(r.stderr, /The command '\/bin\/sh -c echo oops; exit 7' returned a non-zero code: 7/);
  const missing = await ctx.d.berth(['build', path.join(ctx.d.dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /unable to prepare context/);
  const pulled = await ctx.d.berth(['build', '--pull', '-q', '-'], { input: 'FROM busybox\nENV PULLED=1\n' });
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stderr, /\[Warning\] pull is not supported by this berthd/);
  const progress = await ctx.d.berth(['build', '--progress', 'fancy', '.']);
  assert.equal(progress.code, 125);
});
