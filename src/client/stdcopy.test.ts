// Demultiplexing Docker's 8-byte stream framing, across any chunk boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StdcopyDemuxer, demuxBuffer, frame } from './stdcopy';

test('frames go to their stream', () => {
  const { stdout, stderr } = demuxBuffer(Buffer.concat([frame(1, 'out1\n'), frame(2, 'err\n'), frame(1, 'out2\n')]));
  assert.equal(stdout.toString(), 'out1\nout2\n');
  assert.equal(stderr.toString(), 'err\n');
});

test('headers and payloads split across chunks are reassembled', () => {
  const all = Buffer.concat([frame(1, 'hello'), frame(2, 'world'), frame(1, '')]);
  for (let size = 1; size <= all.length; size++) {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const d = new StdcopyDemuxer({ stdout: (c) => out.push(c), stderr: (c) => err.push(c) });
    for (let i = 0; i < all.length; i += size) d.push(all.subarray(i, i + size));
    assert.equal(Buffer.concat(out).toString(), 'hello', `chunk size ${size}`);
    assert.equal(Buffer.concat(err).toString(), 'world');
    assert.ok(d.atBoundary);
  }
});

test('stream 3 (daemon error) goes to the systemErr sink', () => {
  const sys: string[] = [];
  new StdcopyDemuxer({ stdout: () => {}, stderr: () => {}, systemErr: (c) => sys.push(c.toString()) }).push(frame(3, 'boom'));
  assert.deepEqual(sys, ['boom']);
});
