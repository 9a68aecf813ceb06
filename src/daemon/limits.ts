// The daemon's own resource limits, read from /proc: containers never get more than these.
import { readFileSync } from 'node:fs';

/** RLIMIT_NOFILE of this process as {soft, hard}. */
export function ownNofile(): { soft: number; hard: number } {
  const text = readFileSync('/proc/self/limits', 'utf8');
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  const n = (s: string | undefined) => (s === undefined || s === 'unlimited' ? 1048576 : Number(s));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/** What containers get: Docker's 1048576, capped at the daemon's hard limit. */
export function containerNofile(): { soft: number; hard: number } {
  const hard = Math.min(1048576, ownNofile().hard);
  return { soft: hard, hard };
}
