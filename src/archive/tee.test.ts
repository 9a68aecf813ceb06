// Tests of teeInto: both consumers get every byte, and a failure reaches both without an uncaught error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { teeInto } from './tee';

async function collect(r: Readable): Promise<string> {
  let s = '';
  for await (const c of r) s += (c as Buffer).toString();
  return s;
}

describe('teeInto', () => {
  it('gives both consumers the whole stream', async () => {
    const src = Readable.from([Buffer.from('ab'), Buffer.from('cd')], { objectMode: false });
    assert.deepEqual(await teeInto(src, collect, collect), ['abcd', 'abcd']);
  });

  it('a source failing before a consumer starts reading rejects, without an uncaught error event', async () => {
    const src = new Readable({ read() { this.destroy(new Error('corrupt input')); } });
    // The second consumer only looks at its branch after a few turns of the event loop, as a slow set-up would.
    const late = async (s: Readable) => {
      for (let i = 0; i < 5; i++) await tick();
      return collect(s);
    };
    await assert.rejects(teeInto(src, late, late), /corrupt input/);
  });
});
