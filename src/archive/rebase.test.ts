// Tests of renaming tar entries on the fly, as docker cp does when the destination's name differs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rebaseName, rebaseTar } from './rebase';
import { listTar, tarStream } from './tar-fixture';

async function collect(r: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('rebaseTar', () => {
  it('renames the top entry and everything under it, hardlink targets too, and keeps bodies', async () => {
    const src = await tarStream([
      { name: 'a/', type: 'directory' },
      { name: 'a/x', type: 'file', data: 'hello' },
      { name: 'a/y', type: 'link', linkname: 'a/x' },
      { name: 'ab', type: 'file', data: 'other' },
      { name: 'a/l', type: 'symlink', linkname: 'a/x' },
    ]);
    const out = await collect(rebaseTar(src, 'a', 'b'));
    const entries = await listTar(out);
    assert.deepEqual(entries.map((e) => [e.name, e.type, e.linkname ?? '', e.size]), [
      ['b/', 'directory', '', 0], ['b/x', 'file', '', 5], ['b/y', 'link', 'b/x', 0], ['ab', 'file', '', 5], ['b/l', 'symlink', 'a/x', 0],
    ]);
  });

  it('fails the output when the input is not a tar', async () => {
    const { Readable } = await import('node:stream');
    await assert.rejects(collect(rebaseTar(Readable.from([Buffer.alloc(1024, 7)]), 'a', 'b')));
  });

  it('leaves names outside the base alone', () => {
    assert.equal(rebaseName('abc/x', 'ab', 'z'), 'abc/x');
    assert.equal(rebaseName('.', '.', 'dst'), 'dst');
    assert.equal(rebaseName('./x', '.', 'dst'), 'dst/x');
    assert.equal(rebaseName('./x', '.', ''), '/x');
    assert.equal(rebaseName('/bin/sh', '/', 'dst'), 'dst/bin/sh');
  });
});
