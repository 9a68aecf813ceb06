// Signal names and numbers as Docker accepts them ("TERM", "SIGTERM", "15").
import { constants } from 'node:os';
import { InvalidParameterError } from '../../errors';

const BY_NAME = constants.signals as Record<string, number>;

/** The number of a canonical signal name ("SIGTERM" → 15); real-time names pass through as numbers. */
export function signalNumber(name: string): number {
  return /^\d+$/.test(name) ? Number(name) : BY_NAME[name] ?? 0;
}

/** Canonical "SIGxxx" name for a user-given signal; InvalidParameter "Invalid signal: x" otherwise. */
export function parseSignal(input: string | undefined, fallback = 'SIGKILL'): string {
  const s = (input ?? '').trim().toUpperCase();
  if (!s) return fallback;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    const name = Object.keys(BY_NAME).find((k) => BY_NAME[k] === n);
    if (!name && !(n >= 34 && n <= 64)) throw new InvalidParameterError(`Invalid signal: ${input}`);
    return name ?? String(n);
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (!(name in BY_NAME) && !/^SIGRTM(IN|AX)([+-]\d+)?$/.test(name)) throw new InvalidParameterError(`Invalid signal: ${input}`);
  return name;
}
