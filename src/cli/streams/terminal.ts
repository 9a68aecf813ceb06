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

export { parseDetachKeys, DetachKeyFilter } from '../../units/detach-keys';
