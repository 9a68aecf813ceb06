import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WRITE_CACHE_ENV } from './launch';

const LAUNCH = path.join(__dirname, 'launch.js');

describe('CLI launcher with a code cache', () => {
  let dir = '';
  let bundle = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'berth-launch-'));
    bundle = path.join(dir, 'bundle.js');
    // What the CLI bundle relies on: being the main module, require of builtins, __dirname, argv and exit codes.
    writeFileSync(bundle, `const os = require('node:os');
function work(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
if (require.main === module) {
  console.log(JSON.stringify({ main: true, dir: __dirname, args: process.argv.slice(2), os: typeof os.tmpdir, work: work(10), env: process.env.${WRITE_CACHE_ENV} ?? null }));
  process.exitCode = 3;
}
`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Run the bundle through the launcher: its stdout and exit code. */
  function launched(env: NodeJS.ProcessEnv = {}): { out: unknown; code: number; cache: string } {
    const entry = path.join(dir, 'entry.js');
    writeFileSync(entry, `process.stderr.write(require(${JSON.stringify(LAUNCH)}).launch(${JSON.stringify(bundle)}));\n`);
    try {
      execFileSync(process.execPath, [entry, 'a', '--b'], { env: { ...process.env, ...env }, encoding: 'utf8' });
      return { out: undefined, code: 0, cache: '' };
    } catch (err) {
      const e = err as { stdout: string; stderr: string; status: number };
      return { out: JSON.parse(e.stdout), code: e.status, cache: e.stderr };
    }
  }

  const expected = () => ({ main: true, dir, args: ['a', '--b'], os: 'function', work: 45, env: null });

  it('runs the bundle as the main module without a cache, writes one when asked, and runs the same with it', () => {
    assert.deepEqual(launched(), { out: expected(), code: 3, cache: 'none' });
    assert.deepEqual(launched({ [WRITE_CACHE_ENV]: '1' }), { out: expected(), code: 3, cache: 'none' });
    assert.ok(statSync(`${bundle}.cache`).size > 0);
    assert.deepEqual(launched(), { out: expected(), code: 3, cache: 'used' });
  });

  it('runs the bundle as without a cache when V8 rejects the cache (garbage, or made for another bundle)', () => {
    writeFileSync(`${bundle}.cache`, 'not a code cache');
    assert.deepEqual(launched(), { out: expected(), code: 3, cache: 'rejected' });
    launched({ [WRITE_CACHE_ENV]: '1' });
    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\n// rebuilt\n`);
    assert.deepEqual(launched(), { out: expected(), code: 3, cache: 'rejected' });
  });
});
