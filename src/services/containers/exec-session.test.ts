import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { AttachConnection } from '../../runtime';
import { ExecAttachSession } from './exec-session';

class FakeConnection extends EventEmitter {
  written: Buffer[] = [];
  stdinClosed = false;
  closed = false;
  write(c: Buffer) { this.written.push(c); }
  closeStdin() { this.stdinClosed = true; }
  close() { this.closed = true; }
}

test('output before resume() is held, then delivered in order; end waits for resume', () => {
  const s = new ExecAttachSession({ stdin: true, stdout: true, stderr: false });
  const conn = new FakeConnection();
  s.bind(conn as unknown as AttachConnection);
  conn.emit('data', 'stdout', Buffer.from('a'));
  conn.emit('data', 'stderr', Buffer.from('dropped'));
  s.finish();
  const seen: string[] = [];
  let ended = false;
  s.on('data', (stream: string, c: Buffer) => seen.push(`${stream}:${c}`));
  s.on('end', () => { ended = true; });
  assert.equal(ended, false);
  s.resume();
  assert.deepEqual(seen, ['stdout:a']);
  assert.equal(ended, true);
  assert.equal(conn.closed, true);
});

test('stdin written before the process is bound is forwarded, and its EOF too', () => {
  const s = new ExecAttachSession({ stdin: true, stdout: true, stderr: true });
  s.write(Buffer.from('early'));
  s.closeStdin();
  const conn = new FakeConnection();
  s.bind(conn as unknown as AttachConnection);
  assert.deepEqual(conn.written.map(String), ['early']);
  assert.equal(conn.stdinClosed, true);
});
