// Tests of a program as a stream filter: output, failure, backpressure and the kill on destroy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnFilter } from './filter-process';

const fail = (detail: string) => new Error(`failed: ${detail}`);

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The pid `pidFile` names, once written (polls; the test's own timeout bounds it). */
async function pidIn(pidFile: string): Promise<string> {
  for (;;) {
    const pid = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
    if (pid) return pid;
    await sleep(10);
  }
}

/** True while `pid` runs (a zombie has ended). */
function alive(pid: string): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('spawnFilter', () => {
  it('streams the input through the program and ends when it exits 0', async () => {
    const f = spawnFilter('tr', ['a-z', 'A-Z'], fail);
    const input = Readable.from([Buffer.from('hello '), Buffer.from('world')], { objectMode: false });
    const [out] = await Promise.all([collect(f), pipeline(input, f)]);
    assert.equal(out.toString(), 'HELLO WORLD');
  });

  it('fails with the first line the program complained, or its exit status', async () => {
    const f = spawnFilter('sh', ['-c', 'cat >/dev/null; echo "sh: (stdin): it is broken;" >&2; echo more >&2; exit 3'], fail);
    f.end(Buffer.from('x'));
    await assert.rejects(collect(f), /^Error: failed: it is broken$/);
    const quiet = spawnFilter('sh', ['-c', 'exit 4'], fail);
    quiet.end();
    await assert.rejects(collect(quiet), /^Error: failed: sh exited with status 4$/);
    const missing = spawnFilter('/nonexistent/berth-filter', [], fail);
    missing.end();
    await assert.rejects(collect(missing), /^Error: failed: cannot run \/nonexistent\/berth-filter: spawn .*ENOENT/);
  });

  it('stops reading from the program while its reader is behind (bounded memory)', async () => {
    const f = spawnFilter('sh', ['-c', 'exec yes berth'], fail);
    f.end();
    await new Promise((resolve) => f.once('readable', resolve));
    // Nothing reads now: whatever `yes` keeps writing must wait in the pipe, not pile up here.
    await sleep(300);
    assert.ok(f.readableLength < 1024 * 1024, `buffered ${f.readableLength} bytes`);
    f.destroy();
  });

  it('kills the program when the stream is destroyed, also midway through the input', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-filter-'));
    try {
      const pidFile = path.join(dir, 'pid');
      const f = spawnFilter('sh', ['-c', `echo $$ > ${pidFile}; exec cat`], fail);
      f.write(Buffer.alloc(1024));
      const pid = await pidIn(pidFile);
      assert.ok(alive(pid));
      f.destroy();
      while (alive(pid)) await sleep(10);
      assert.ok(f.destroyed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
