// Tests of the hashing pass-through stream.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestOf, DigestStream, isDigest, VerifyingStream } from './digest-stream';

describe('DigestStream', () => {
  it('hashes and counts what passes through unchanged', async () => {
    const parts = [Buffer.from('hello '), Buffer.from('world')];
    const d = new DigestStream();
    const seen: Buffer[] = [];
    await pipeline(Readable.from(parts), d, new Writable({ write(c, _e, cb) { seen.push(c); cb(); } }));
    assert.equal(Buffer.concat(seen).toString(), 'hello world');
    assert.equal(d.size, 11);
    assert.equal(d.digest(), `sha256:${createHash('sha256').update('hello world').digest('hex')}`);
  });

  it('digestOf hashes a whole stream', async () => {
    assert.deepEqual(await digestOf(Readable.from([Buffer.from('hello '), Buffer.from('world')])),
      { digest: `sha256:${createHash('sha256').update('hello world').digest('hex')}`, size: 11 });
  });

  it('validates digests strictly', () => {
    assert.ok(isDigest(`sha256:${'a'.repeat(64)}`));
    for (const bad of [`sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, 'sha256:../../etc/passwd', `sha512:${'a'.repeat(64)}`, `sha256:${'a'.repeat(64)}\n`, 42]) {
      assert.equal(isDigest(bad), false, String(bad));
    }
  });

  describe('VerifyingStream', () => {
    const sha = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const run = async (parts: string[], digest: string, size: number) => {
      const seen: Buffer[] = [];
      const v = new VerifyingStream(digest, size, (got) => new Error(`corrupt: got ${got}`));
      const done = pipeline(Readable.from(parts.map((p) => Buffer.from(p))), v, new Writable({ write(c, _e, cb) { seen.push(c); cb(); } }));
      return { done, seen };
    };

    it('passes the expected bytes through whole', async () => {
      const { done, seen } = await run(['ab', 'cd', 'ef'], sha('abcdef'), 6);
      await done;
      assert.equal(Buffer.concat(seen).toString(), 'abcdef');
    });

    it('fails a wrong digest before the last chunk is let out', async () => {
      const { done, seen } = await run(['ab', 'cd', 'eX'], sha('abcdef'), 6);
      await assert.rejects(done, /corrupt: got sha256:/);
      assert.equal(Buffer.concat(seen).toString(), 'abcd');
    });

    it('fails a stream that is too long or too short', async () => {
      await assert.rejects((await run(['abc', 'defg'], sha('abcdef'), 6)).done, /more than 6 bytes/);
      await assert.rejects((await run(['abc'], sha('abcdef'), 6)).done, /got 3 bytes/);
    });
  });
});
