// What is left of a request body its handler refused, read the way Go's net/http server does it, so a client still sending gets the answer rather than a broken pipe.
import type { IncomingMessage } from 'node:http';

/** Go's server reads at most this much of a body a handler left unread before it gives up on the connection. */
export const MAX_DRAIN_BYTES = 256 << 10;
/** A client trickling its body is not waited for longer than this. */
const MAX_DRAIN_MS = 2000;

/**
 * Read and drop the rest of `req`'s body, up to `limit` bytes and
 * MAX_DRAIN_MS. Resolves true when the body ended (the connection can be
 * kept), false when it was longer, slower, or already gone (the caller
 * answers, then closes the connection). Never buffers what it reads.
 */
export function drainBody(req: IncomingMessage, limit = MAX_DRAIN_BYTES): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let read = 0;
    const done = (ended: boolean) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      if (!ended) req.pause();
      resolve(ended);
    };
    const onData = (c: Buffer) => {
      read += c.length;
      if (read > limit) done(false);
    };
    const onEnd = () => done(true);
    const onClose = () => done(req.complete);
    const timer = setTimeout(() => done(false), MAX_DRAIN_MS);
    req.on('data', onData).once('end', onEnd).once('close', onClose);
    req.resume();
  });
}
