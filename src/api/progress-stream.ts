// Docker's JSON-lines progress responses (pull, push, load): headers on the first message, errors in-band after that.
import { messageOf } from './http-status';
import type { ApiRequest } from './request';
import { COMMON_HEADERS } from './respond';

export interface ProgressStream {
  write(msg: object): void;
  /** End the response. */
  end(): void;
  /**
   * Report a failure: before any message was sent it is rethrown (so the
   * client gets the HTTP status, as Docker does); after, it is sent in-band
   * as {"errorDetail":{"message"},"error"}.
   */
  fail(err: unknown): void;
}

export function progressStream(req: ApiRequest): ProgressStream {
  const res = req.res!;
  const start = () => {
    if (!res.headersSent) {
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
      res.flushHeaders();
    }
  };
  return {
    write(msg) {
      start();
      if (!res.destroyed) res.write(JSON.stringify(msg) + '\r\n');
    },
    end() {
      start();
      res.end();
    },
    fail(err) {
      if (!res.headersSent) throw err;
      const message = messageOf(err);
      if (!res.destroyed) res.end(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n');
    },
  };
}

/** An AbortSignal that fires when the client goes away before the response ended. */
export function clientGone(req: ApiRequest): AbortSignal {
  const ac = new AbortController();
  req.res!.once('close', () => { if (!req.res!.writableFinished) ac.abort(new Error('client disconnected')); });
  return ac.signal;
}
