// Docker's ulimit names, their RLIMIT_* types, and this process's own hard limits (the ceiling for any container).
import { readFileSync } from 'node:fs';

/** Docker ulimit name → [OCI rlimit type, row label in /proc/self/limits]. */
export const ULIMITS: Readonly<Record<string, readonly [string, string]>> = {
  as: ['RLIMIT_AS', 'Max address space'], core: ['RLIMIT_CORE', 'Max core file size'], cpu: ['RLIMIT_CPU', 'Max cpu time'],
  data: ['RLIMIT_DATA', 'Max data size'], fsize: ['RLIMIT_FSIZE', 'Max file size'], locks: ['RLIMIT_LOCKS', 'Max file locks'],
  memlock: ['RLIMIT_MEMLOCK', 'Max locked memory'], msgqueue: ['RLIMIT_MSGQUEUE', 'Max msgqueue size'],
  nice: ['RLIMIT_NICE', 'Max nice priority'], nofile: ['RLIMIT_NOFILE', 'Max open files'], nproc: ['RLIMIT_NPROC', 'Max processes'],
  rss: ['RLIMIT_RSS', 'Max resident set'], rtprio: ['RLIMIT_RTPRIO', 'Max realtime priority'],
  rttime: ['RLIMIT_RTTIME', 'Max realtime timeout'], sigpending: ['RLIMIT_SIGPENDING', 'Max pending signals'],
  stack: ['RLIMIT_STACK', 'Max stack size'],
};

/** Hard limit per Docker ulimit name from /proc/self/limits text; Infinity for "unlimited" or unknown. */
export function parseHardLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, [, label]] of Object.entries(ULIMITS)) {
    const line = text.split('\n').find((l) => l.startsWith(label));
    const hard = line?.slice(label.length).trim().split(/\s+/)[1];
    out[name] = hard !== undefined && /^\d+$/.test(hard) ? Number(hard) : Infinity;
  }
  return out;
}

/** This process's hard limits by Docker ulimit name; read once, they do not change while berthd runs. */
let cached: Record<string, number> | undefined;
export function daemonHardLimits(): Record<string, number> {
  if (!cached) {
    try {
      cached = parseHardLimits(readFileSync('/proc/self/limits', 'utf8'));
    } catch {
      cached = parseHardLimits('');
    }
  }
  return cached;
}
