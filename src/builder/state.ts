// What a stage carries from step to step: its current image, the run config being built, the ARGs in effect.
import type { Image, ImageRunConfig } from '../services/images';
import { processWord, type LexResult } from './dockerfile/shell-lex';

/** Proxy variables every build may set without declaring them; never recorded in history or the cache. */
export const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

export interface StageState {
  /** The image the next step builds on; undefined while a FROM scratch stage has made nothing. */
  image?: Image;
  run: ImageRunConfig;
  author?: string;
  /** Whether this stage set CMD itself (ENTRYPOINT clears an inherited one only). */
  cmdSet: boolean;
  /** Declared ARGs and their values (absent: declared without a value). */
  args: Map<string, string | undefined>;
  escape: string;
}

/** Variables for expansion: declared ARGs with values, overridden by ENV. */
export function expansionVars(s: StageState): Map<string, string> {
  const vars = new Map<string, string>();
  for (const [k, v] of s.args) if (v !== undefined) vars.set(k, v);
  for (const e of s.run.Env ?? []) {
    const eq = e.indexOf('=');
    vars.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return vars;
}

export function expand(s: StageState, text: string): LexResult {
  return processWord(text, expansionVars(s), s.escape);
}

export function shellOf(s: StageState): string[] {
  return s.run.Shell?.length ? s.run.Shell : ['/bin/sh', '-c'];
}

/**
 * ARGs a RUN sees as environment (ENV wins), as "k=v", sorted. The proxy
 * args need no ARG line and are kept apart: never in history or the cache key.
 */
export function runArgs(s: StageState, buildArgs: Record<string, string | null>): { recorded: string[]; proxies: string[] } {
  const env = new Set((s.run.Env ?? []).map((e) => e.slice(0, e.indexOf('='))));
  const all = new Map(s.args);
  for (const k of PROXY_ARGS) {
    const v = buildArgs[k];
    if (!all.has(k) && typeof v === 'string') all.set(k, v);
  }
  const recorded: string[] = [];
  const proxies: string[] = [];
  for (const [k, v] of [...all].sort(([a], [b]) => a.localeCompare(b))) {
    if (v === undefined || env.has(k)) continue;
    (PROXY_ARGS.has(k) ? proxies : recorded).push(`${k}=${v}`);
  }
  return { recorded, proxies };
}

/** Go's %q of a string slice, as Docker prints commands in history: ["a" "b"]. */
export function goList(items: string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(' ')}]`;
}
