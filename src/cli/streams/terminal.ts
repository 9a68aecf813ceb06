// The local terminal during an interactive attach: raw mode, size changes, and detach-key parsing.
import { spawnSync } from 'node:child_process';
import type { EngineClient } from '../../client/engine-client';

/** Put stdin in raw mode if it is a TTY; returns the restore function (also run at process exit). */
export function enterRawMode(): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => {};
  stdin.setRawMode(true);
  // libuv's raw mode keeps output post-processing (\n → \r\n); docker's MakeRaw turns it off, and the
  // container's TTY already sends \r\n. setRawMode(false) restores the saved termios, OPOST included.
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try { stdin.setRawMode(false); } catch { /* the terminal is gone */ }
  };
  process.once('exit', restore);
  return restore;
}

/** Send the terminal size now and on every SIGWINCH: POST {path}/resize?h=&w=. Returns the unsubscribe. */
export function forwardResize(client: EngineClient, resizePath: string): () => void {
  const out = process.stdout;
  if (!out.isTTY) return () => {};
  const send = () => {
    const { rows, columns } = out;
    if (!rows || !columns) return;
    client.request('POST', resizePath, { query: { h: rows, w: columns } }).then((r) => r.body.resume(), () => {});
  };
  send();
  process.on('SIGWINCH', send);
  return () => { process.off('SIGWINCH', send); };
}

/** Parse docker's --detach-keys ("ctrl-p,ctrl-q", "a,ctrl-@") into bytes. */
export function parseDetachKeys(spec: string): Buffer {
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim().toLowerCase();
    if (k.length === 1) bytes.push(k.charCodeAt(0));
    else if (/^ctrl-[a-z@[\\\]^_]$/.test(k)) {
      const c = k[5];
      bytes.push(c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : '@[\\]^_'.indexOf(c));
    } else throw new Error(`Unknown character: '${key}'`);
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
