// In-memory event bus: a bounded history for `since`, and live delivery to subscribers.
import { InvalidParameterError } from '../../errors';
import type { EngineEvent, EventPublisher, EventSource, EventSubscription, EventType, Filters } from './index';

const HISTORY = 1024;
const FILTER_KEYS = new Set(['type', 'event', 'container', 'image', 'label', 'volume', 'network', 'daemon', 'scope', 'node', 'plugin', 'service', 'secret', 'config']);

export class EventBus implements EventPublisher, EventSource {
  private readonly history: EngineEvent[] = [];
  private readonly listeners = new Set<(e: EngineEvent) => void>();

  constructor(private readonly now: () => bigint = () => process.hrtime.bigint() + BOOT_OFFSET) {}

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    const nano = this.now();
    const e: EngineEvent = {
      Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local',
      time: Number(nano / 1_000_000_000n), timeNano: Number(nano),
    };
    if (type === 'container' || type === 'image') {
      e.status = action;
      e.id = id;
      if (type === 'container' && attributes.image) e.from = attributes.image;
    }
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    for (const l of this.listeners) l(e);
  }

  subscribe(opts: { since?: number; until?: number; filters: Filters }): EventSubscription {
    for (const k of Object.keys(opts.filters)) if (!FILTER_KEYS.has(k)) throw new InvalidParameterError(`invalid filter '${k}'`);
    const match = (e: EngineEvent) => matches(e, opts.filters) && (opts.since === undefined || e.timeNano >= opts.since)
      && (opts.until === undefined || e.timeNano <= opts.until);
    // Past events only when asked for with `since`, as Docker does; otherwise live ones only.
    const queue: EngineEvent[] = opts.since === undefined ? [] : this.history.filter(match);
    let wake: (() => void) | undefined;
    let closed = false;
    const listener = (e: EngineEvent) => {
      if (!match(e)) return;
      queue.push(e);
      wake?.();
    };
    const live = opts.until === undefined || opts.until > Number(this.now());
    if (live) this.listeners.add(listener);
    let timer: NodeJS.Timeout | undefined;
    const close = () => {
      closed = true;
      this.listeners.delete(listener);
      if (timer) clearTimeout(timer);
      wake?.();
    };
    if (live && opts.until !== undefined) timer = setTimeout(close, Math.max(0, (opts.until - Number(this.now())) / 1e6));
    return {
      close,
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length) yield queue.shift()!;
          if (closed || !live) return;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      },
    };
  }
}

/** Wall-clock nanoseconds from the monotonic clock, so events are ordered even if the clock steps. */
const BOOT_OFFSET = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

function matches(e: EngineEvent, f: Filters): boolean {
  const any = (key: string, test: (v: string) => boolean) => !f[key]?.length || f[key].some(test);
  const attrs = e.Actor.Attributes;
  return any('type', (v) => v === e.Type)
    && any('event', (v) => v === e.Action || e.Action.startsWith(`${v}:`))
    && any('container', (v) => e.Type === 'container' && (e.Actor.ID.startsWith(v) || attrs.name === v))
    && any('image', (v) => (e.Type === 'image' && (e.Actor.ID === v || attrs.name === v)) || attrs.image === v)
    && any('volume', (v) => e.Type === 'volume' && e.Actor.ID === v)
    && any('network', (v) => e.Type === 'network' && (e.Actor.ID.startsWith(v) || attrs.name === v))
    && any('label', (v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? v in attrs : attrs[v.slice(0, eq)] === v.slice(eq + 1);
    });
}
