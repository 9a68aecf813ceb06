// Tests of docker-style progress rendering on a terminal and in a pipe.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { displayProgress } from './progress';

function sink(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: '', write(c: string) { s.text += c; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

const lines = (...msgs: object[]) => Readable.from([msgs.map((m) => JSON.stringify(m)).join('\r\n') + '\r\n']);
const msgs = [
  { status: 'Pulling from test/box', id: 'v1' },
  { status: 'Pulling fs layer', id: 'aaa' },
  { status: 'Pulling fs layer', id: 'bbb' },
  { status: 'Downloading', id: 'aaa', progress: '[=>   ] 1B/2B', progressDetail: { current: 1, total: 2 } },
  { status: 'Pull complete', id: 'aaa' },
  { status: 'Digest: sha256:abc' },
];

describe('displayProgress', () => {
  it('prints plain lines without progress bars when not on a terminal', async () => {
    const out = sink(false);
    await displayProgress(lines(...msgs), out);
    assert.equal(out.text, 'v1: Pulling from test/box\naaa: Pulling fs layer\nbbb: Pulling fs layer\naaa: Pull complete\nDigest: sha256:abc\n');
  });

  it('rewrites a layer line in place on a terminal', async () => {
    const out = sink(true);
    await displayProgress(lines(...msgs), out);
    assert.match(out.text, /\x1b\[2A\x1b\[2K\raaa: Downloading \[=>   \] 1B\/2B\x1b\[2B\r/);
    assert.match(out.text, /Digest: sha256:abc\n$/);
  });

  it('ends with the in-band error as a failure', async () => {
    await assert.rejects(displayProgress(lines({ status: 'x' }, { errorDetail: { message: 'unauthorized: nope' }, error: 'unauthorized: nope' }), sink(false)), /unauthorized: nope/);
  });
});
