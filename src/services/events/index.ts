// The event bus behind GET /events: what happened to containers, images, volumes and networks, in order.

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon';

/** Docker's events message. */
export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  /** Deprecated fields Docker still sends for containers and images. */
  status?: string;
  id?: string;
  from?: string;
}

export type Filters = Record<string, string[]>;

/** Publishing side, handed to the services. */
export interface EventPublisher {
  publish(type: EventType, action: string, id: string, attributes?: Record<string, string>): void;
}

export interface EventSubscription extends AsyncIterable<EngineEvent> {
  close(): void;
}

/** Reading side, for the API. */
export interface EventSource {
  /**
   * Past events from `since` (kept in a bounded ring) then live ones until
   * `until` passes or the subscription is closed; `filters` as Docker's
   * (type, event, container, image, label, …).
   */
  subscribe(opts: { since?: number; until?: number; filters: Filters }): EventSubscription;
}
