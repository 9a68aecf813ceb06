// Tests of the k8s-file log reader: partial lines, stream filters, tail, since/until and follow.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLog, type LogLine, type ReadLogOptions } from './log-reader';

const T = (s: number, ns = '000000000') => `2024-01-02T03:04:${String(s).padStart(2, '0')}.${ns}+00:00`;

async function collect(path: string, opts: ReadLogOptions = {}): Promise<Array<[string, string, string]>> {
  const out: Array<[string, string, string]> = [];
  for await (const l of readLog(path, opts)) out.push([l.stream, l.time, l.line.toString()]);
  return out;
}

describe('readLog', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'berth-log-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (text: string) => { const p = join(dir, `log${n++}`); writeFileSync(p, text); return p; };

  it('reads full lines, joins partial ones and filters streams', async () => {
    const p = file([
      `${T(1)} stdout F hello world`,
      `${T(2)} stderr P par`,
      `${T(3)} stdout F between`,
      `${T(4)} stderr F tial`,
      `${T(5)} stdout F `,
      '',
    ].join('\n'));
    assert.deepEqual(await collect(p), [
      ['stdout', T(1), 'hello world\n'],
      ['stdout', T(3), 'between\n'],
      ['stderr', T(2), 'partial\n'],
      ['stdout', T(5), '\n'],
    ]);
    assert.deepEqual((await collect(p, { stdout: false })).map((e) => e[2]), ['partial\n']);
    assert.deepEqual((await collect(p, { stderr: false })).map((e) => e[2]), ['hello world\n', 'between\n', '\n']);
  });

  it('keeps bytes as written and delivers an unfinished last line without a newline', async () => {
    const p = join(dir, 'bin');
    writeFileSync(p, Buffer.concat([Buffer.from(`${T(1)} stdout F `), Buffer.from([0xff, 0x00, 0x20]), Buffer.from(`\n${T(2)} stdout P no newline\n`)]));
    const got: LogLine[] = [];
    for await (const l of readLog(p)) got.push(l);
    assert.deepEqual(got[0].line, Buffer.from([0xff, 0x00, 0x20, 0x0a]));
    assert.equal(got[1].line.toString(), 'no newline');
  });

  it('tails the last n lines, counting both streams, ignoring a torn last line', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${T(i % 60)} ${i % 2 ? 'stderr' : 'stdout'} F line ${i} ${'x'.repeat(i % 50)}`);
    const p = file(lines.join('\n') + `\n${T(1)} stdout F torn`);
    const tail = await collect(p, { tail: 3 });
    assert.deepEqual(tail.map((e) => e[2].split(' ').slice(0, 2).join(' ')), ['line 4997', 'line 4998', 'line 4999']);
    assert.equal((await collect(p, { tail: 0 })).length, 0);
    assert.equal((await collect(p, { tail: 100000 })).length, 5000);
    assert.equal((await collect(p, { tail: 1, stdout: false }))[0][2].startsWith('line 4999'), true);
    assert.equal((await collect(p, { tail: 1, stderr: false })).length, 0);
  });

  it('tail counts a partial line with its fragments', async () => {
    const p = file(`${T(1)} stdout F a\n${T(2)} stdout P b1\n${T(3)} stdout P b2\n${T(4)} stdout F b3\n`);
    assert.deepEqual((await collect(p, { tail: 1 })).map((e) => e[2]), ['b1b2b3\n']);
    assert.deepEqual((await collect(p, { tail: 2 })).map((e) => e[2]), ['a\n', 'b1b2b3\n']);
  });

  it('applies since and until with nanosecond timestamps', async () => {
    const p = file([`${T(1)} stdout F one`, `${T(2, '000000500')} stdout F two`, `${T(3)} stdout F three`, `${T(4)} stdout F four`, ''].join('\n'));
    const since = new Date(Date.parse(T(2)));
    const until = new Date(Date.parse(T(3)));
    assert.deepEqual((await collect(p, { since })).map((e) => e[2]), ['two\n', 'three\n', 'four\n']);
    assert.deepEqual((await collect(p, { until })).map((e) => e[2]), ['one\n', 'two\n', 'three\n']);
    assert.deepEqual((await collect(p, { since, until: new Date(Date.parse(T(2))) })).map((e) => e[2]), []);
  });

  it('follows appended lines until aborted, then drains what is left', async () => {
    const p = file(`${T(1)} stdout F first\n`);
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => { for await (const l of readLog(p, { follow: true, signal: ac.signal })) seen.push(l.line.toString()); })();
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(p, `${T(2)} stdout P sec`);
    await new Promise((r) => setTimeout(r, 20));
    appendFileSync(p, `ond-part\n${T(3)} stdout F second\n`);
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, ['first\n', 'second-partsecond\n']);
    appendFileSync(p, `${T(4)} stderr F last\n`);
    ac.abort();
    await done;
    assert.deepEqual(seen, ['first\n', 'second-partsecond\n', 'last\n']);
  });

  it('follows a log that does not exist yet, and ends at once without follow', async () => {
    const p = join(dir, 'later');
    assert.deepEqual(await collect(p), []);
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => { for await (const l of readLog(p, { follow: true, signal: ac.signal })) seen.push(l.line.toString()); })();
    await new Promise((r) => setTimeout(r, 30));
    writeFileSync(p, `${T(1)} stdout F born\n`);
    for (let i = 0; i < 100 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await done;
    assert.deepEqual(seen, ['born\n']);
  });
});
