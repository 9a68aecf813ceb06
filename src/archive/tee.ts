// One stream read by two consumers at the pace of the slower, failing both when either fails.
import { PassThrough, type Readable } from 'node:stream';

/**
 * Feed `source` to `a` and `b` (each gets its own stream) and resolve with
 * both results. If either consumer rejects, both branches are destroyed so
 * the other cannot wait forever, and the first error is thrown.
 */
export async function teeInto<A, B>(source: Readable, a: (s: Readable) => Promise<A>, b: (s: Readable) => Promise<B>): Promise<[A, B]> {
  const left = new PassThrough();
  const right = new PassThrough();
  // A branch destroyed before its consumer listens must not throw: the consumer meets the error when it reads.
  left.on('error', () => undefined);
  right.on('error', () => undefined);
  source.pipe(left);
  source.pipe(right);
  source.once('error', (err) => {
    left.destroy(err);
    right.destroy(err);
  });
  const fail = (err: unknown) => {
    source.unpipe();
    source.destroy();
    left.destroy(err as Error);
    right.destroy(err as Error);
    throw err;
  };
  return Promise.all([a(left).catch(fail), b(right).catch(fail)]);
}
