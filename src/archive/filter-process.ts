// A program that filters bytes (`xz -d -c`, `bzip2 -d -c`) as a Duplex stream: its stdin and stdout with backpressure, killed when the stream is destroyed.
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';

/** How a failed run becomes the stream's error: the program's first line of complaint (or its exit status), and the spawn error if it never ran. */
export type FilterFailure = (detail: string, cause?: Error) => Error;

/**
 * Run `command args` with the written bytes on its stdin; what it prints on
 * stdout is the readable side. Writes wait for the pipe to drain and the
 * program's stdout is paused while the reader is behind, so memory stays
 * bounded whatever the program makes of its input. The readable side ends
 * only after the program exited 0; any other exit destroys the stream with
 * `fail(first stderr line)`. Destroying the stream (the reader gave up, the
 * source failed, an abort) kills the program. Bytes written after the
 * program stopped reading are dropped: its exit status tells the outcome.
 */
export function spawnFilter(command: string, args: string[], fail: FilterFailure): Duplex {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdinGone = false;
  const running = () => child.exitCode === null && child.signalCode === null;
  const out = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      if (stdinGone || child.stdin.write(chunk)) {
        cb();
        return;
      }
      const go = () => {
        child.stdin.off('drain', go);
        child.stdin.off('close', go);
        cb();
      };
      child.stdin.on('drain', go);
      child.stdin.on('close', go);
    },
    final(cb) {
      child.stdin.end();
      cb();
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, cb) {
      if (running()) child.kill('SIGKILL');
      cb(err);
    },
  });
  child.stdin.on('error', () => { stdinGone = true; });
  child.stdin.on('close', () => { stdinGone = true; });
  child.stdout.on('data', (c: Buffer) => {
    if (!out.push(c)) child.stdout.pause();
  });
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 4096) stderr += c.toString('utf8');
  });
  child.once('error', (err) => {
    if (!out.destroyed) out.destroy(fail(`cannot run ${command}: ${err.message}`, err));
  });
  // 'close' comes after stdout ended, so every byte the program wrote has been pushed by now.
  child.once('close', (code, signal) => {
    if (out.destroyed) return;
    if (code === 0) {
      out.push(null);
      return;
    }
    out.destroy(fail(complaint(command, stderr) || `${command} exited with ${signal ?? `status ${code}`}`));
  });
  return out;
}

/** The first non-empty line of a program's stderr without its "prog: (stdin): " prefix and trailing punctuation. */
function complaint(command: string, stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find((l) => l) ?? '';
  return line.replace(new RegExp(`^${command}: (\\(stdin\\): )?`), '').replace(/[;.]$/, '');
}
