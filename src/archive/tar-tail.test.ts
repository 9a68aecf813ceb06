import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pack, extract } from 'tar-stream';
import { completeTarTail } from './tar-tail';

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  for (const [name, body] of Object.entries(files)) p.entry({ name }, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function entries(buf: Buffer): Promise<Record<string, string>> {
  const ex = extract();
  Readable.from([buf]).pipe(completeTarTail()).pipe(ex as unknown as NodeJS.WritableStream);
  const out: Record<string, string> = {};
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out[e.header.name] = Buffer.concat(chunks).toString();
  }
  return out;
}

test('a tar cut right after its last entry\'s data is completed; a whole one is unchanged', async () => {
  const whole = await tarOf({ a: 'first', b: 'second entry' });
  const cut = whole.subarray(0, 512 + 512 + 512 + 'second entry'.length);
  assert.deepEqual(await entries(cut), { a: 'first', b: 'second entry' });
  assert.deepEqual(await entries(whole), { a: 'first', b: 'second entry' });
  assert.deepEqual(await entries(whole.subarray(0, 2048)), { a: 'first', b: 'second entry' }, 'end blocks missing');
});

test('a tar cut inside an entry\'s data stays broken for the extractor to refuse', async () => {
  const whole = await tarOf({ a: 'first', b: 'second entry' });
  await assert.rejects(entries(whole.subarray(0, 512 + 512 + 512 + 3)), /Unexpected end of data/);
});
