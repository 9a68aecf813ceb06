// GET /events: Docker's JSON event stream, with since/until and filters.
import { InvalidParameterError } from '../../errors';
import type { EventSource } from '../../services/events';
import { COMMON_HEADERS } from '../respond';
import type { Router } from '../router';

/** Docker's since/until: Unix seconds with an optional fraction, or an RFC 3339 date; as nanoseconds. */
function parseNano(v: string | null): number | undefined {
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1e9);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidParameterError(`invalid time value: ${v}`);
  return t * 1e6;
}

export function eventRoutes(router: Router, events: EventSource): void {
  router.add('GET', '/events', async (req) => {
    const sub = events.subscribe({ since: parseNano(req.query.get('since')), until: parseNano(req.query.get('until')), filters: req.filters() });
    const res = req.res!;
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
    res.flushHeaders();
    res.once('close', () => sub.close());
    for await (const e of sub) {
      if (!res.write(JSON.stringify(e) + '\n')) await new Promise((r) => res.once('drain', r));
      if (res.destroyed) break;
    }
    res.end();
  });
}
