// GET /events: Docker's JSON event stream, with since/until and filters.
import type { EventSource } from '../../services/events';
import { COMMON_HEADERS } from '../respond';
import type { Router } from '../router';

export function eventRoutes(router: Router, events: EventSource): void {
  router.add('GET', '/events', async (req) => {
    const sub = events.subscribe({ since: req.timeNano('since'), until: req.timeNano('until') || undefined, filters: req.filters() });
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
