// Detach keys (default ctrl-p,ctrl-q): parsing docker's notation and spotting the sequence in a terminal client's stdin.
import { InvalidParameterError } from '../../errors';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_NAMES = ['ctrl-@', ...Array.from({ length: 26 }, (_, i) => `ctrl-${String.fromCharCode(97 + i)}`), 'ctrl-[', 'ctrl-\\', 'ctrl-]', 'ctrl-^', 'ctrl-_'];

/** moby/term's ToBytes: comma-separated single characters, "ctrl-<x>" or "DEL"; empty means Docker's default. */
export function parseDetachKeys(spec: string | undefined, what = 'detach keys'): Buffer {
  const keys = spec || DEFAULT_DETACH_KEYS;
  const codes: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length === 1) codes.push(key.charCodeAt(0));
    else if (CTRL_NAMES.includes(key)) codes.push(CTRL_NAMES.indexOf(key));
    else if (key === 'DEL') codes.push(127);
    else throw new InvalidParameterError(`Invalid ${what} (${spec}) provided`);
  }
  if (codes.some((c) => c > 255)) throw new InvalidParameterError(`Invalid ${what} (${spec}) provided`);
  return Buffer.from(codes);
}

/**
 * Watches a client's keystrokes for the detach sequence. Bytes that might
 * start it are held back; if the sequence breaks they are passed on, and a
 * complete sequence is swallowed and reported.
 */
export class DetachScanner {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  /** The bytes to forward to the process, and whether the client asked to detach (nothing after the sequence is forwarded). */
  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          this.matched = 0;
          return { forward: Buffer.from(out), detach: true };
        }
        continue;
      }
      // The held-back prefix was ordinary input after all; the byte may start a new match.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]);
      this.matched = 0;
      if (byte === this.keys[0]) {
        this.matched = 1;
        if (this.keys.length === 1) return { forward: Buffer.from(out), detach: true };
      } else {
        out.push(byte);
      }
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
