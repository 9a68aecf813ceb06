// Tests of the hashing pass-through stream.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestStream, isDigest } from './digest-stream';

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

  it('validates digests strictly', () => {
    assert.ok(isDigest(`sha256:${'a'.repeat(64)}`));
    for (const bad of [`sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, 'sha256:../../etc/passwd', `sha512:${'a'.repeat(64)}`, `sha256:${'a'.repeat(64)}\n`, 42]) {
      assert.equal(isDigest(bad), false, String(bad));
    }
  });
});
