// Detach keys in docker's notation ("ctrl-p,ctrl-q"), and spotting the sequence in a terminal's keystrokes: for the CLI and berthd alike.

/** Parse docker's --detach-keys ("ctrl-p,ctrl-q", "a,ctrl-@") into bytes. */
export function parseDetachKeys(spec: string): Buffer {
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim().toLowerCase();
    if (k.length === 1) bytes.push(k.charCodeAt(0));
    else if (/^ctrl-[a-z@[\\\]^_]$/.test(k)) {
      const c = k[5];
      // ctrl-@ is NUL, ctrl-a…ctrl-z 1…26, then ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_ 27…31.
      const i = '@[\\]^_'.indexOf(c);
      bytes.push(c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : i === 0 ? 0 : 26 + i);
    } else if (key === 'DEL') bytes.push(127);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return Buffer.from(bytes);
}

/**
 * docker's escape proxy: passes bytes through, holds back a partial detach sequence, and reports
 * when the whole sequence was typed (the held bytes are then dropped).
 */
export class DetachKeyFilter {
  private matched = 0;
  constructor(private readonly keys: Buffer) {}

  /** Returns the bytes to forward and whether the detach sequence completed. */
  filter(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.keys.length && b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]);
      this.matched = 0;
      if (this.keys.length && b === this.keys[0]) { this.matched = 1; continue; }
      out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
