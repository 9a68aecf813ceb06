// What every command needs: the daemon client for -H, stdout/stderr, and the exit-status error type.
import type { Command } from 'commander';
import { EngineClient } from '../client/engine-client';

/** A command's requested exit: print `message` (if any) to stderr and exit with `code`. */
export class StatusError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
    this.name = 'StatusError';
  }
}

let shared: EngineClient | undefined;

/** The client for this invocation, built from the global -H flag (or BERTH_HOST / DOCKER_HOST). */
export function clientFor(cmd: Command): EngineClient {
  if (!shared) {
    const opts = cmd.optsWithGlobals() as { host?: string };
    shared = new EngineClient({ host: opts.host, apiVersion: process.env.BERTH_API_VERSION || process.env.DOCKER_API_VERSION || undefined });
  }
  return shared;
}

/**
 * Start the client and its /_ping before the command tree is even loaded, so version negotiation
 * overlaps start-up. `host` is -H as pre-scanned from argv. Failures surface at first real use.
 */
export function prewarmClient(host: string | undefined): void {
  try {
    shared = new EngineClient({ host, apiVersion: process.env.BERTH_API_VERSION || process.env.DOCKER_API_VERSION || undefined });
    shared.apiVersion().catch(() => {});
  } catch {
    shared = undefined; // a bad -H value is reported when the command runs
  }
}

/** Release pooled connections (so the event loop can empty). */
export function closeClient(): void {
  shared?.close();
}

/** Collect a repeatable option (-e A -e B) into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** docker's `K=V` flag lists (labels, options, sysctls, build args) as a record; a bare `K` maps to `bare(K)`, "" unless given. */
export function keyValues<B extends string | null = string>(list: string[] | undefined, bare: (key: string) => B = () => '' as B): Record<string, string | B> {
  const out: Record<string, string | B> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = bare(item);
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Write to stdout and resolve once flushed. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => { if (!text) resolve(); else process.stdout.write(text, () => resolve()); });
}

export function writeErr(text: string): Promise<void> {
  return new Promise((resolve) => { if (!text) resolve(); else process.stderr.write(text, () => resolve()); });
}

/** Parse repeated `-f key=value` flags into the API's filters JSON ({"key":["value"]}). */
export function filtersJson(filters: string[] | undefined): string | undefined {
  if (!filters || !filters.length) return undefined;
  const out: Record<string, string[]> = {};
  for (const f of filters) {
    const i = f.indexOf('=');
    if (i <= 0) throw new StatusError(125, `invalid argument "${f}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    const k = f.slice(0, i).trim().toLowerCase();
    (out[k] ??= []).push(f.slice(i + 1));
  }
  return JSON.stringify(out);
}
