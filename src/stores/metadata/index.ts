// Durable records: one JSON file per object, grouped by kind, replaced atomically.

/**
 * Records live at `<root>/<kind>/<id>.json`. `put` writes a temp file,
 * fsyncs it and renames it over the old one, so a reader (or a daemon
 * restarted after a crash) sees the old record or the new one, never half.
 * `kind` and `id` are validated ([A-Za-z0-9_.-], no leading dot) so no
 * record can be written outside the root.
 */
export interface MetadataStore {
  get<T>(kind: string, id: string): Promise<T | undefined>;
  /** `sync: false` skips the fsyncs: a crash may then leave the old record (or, rarely, an unreadable one) for a record nothing needs to survive. */
  put<T>(kind: string, id: string, value: T, opts?: { sync?: boolean }): Promise<void>;
  /** Remove a record; absent is not an error. */
  delete(kind: string, id: string): Promise<void>;
  /** Every record of a kind (order unspecified). Unreadable files are skipped and reported via the onCorrupt hook. */
  list<T>(kind: string): Promise<T[]>;
}
