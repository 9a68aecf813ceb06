// Pumping a hijacked attach connection: output to stdout/stderr (demuxed unless TTY), stdin into it.
import type { HijackedConnection } from '../../client/engine-client';
import { StdcopyDemuxer } from '../../client/stdcopy';
import { DetachKeyFilter, parseDetachKeys } from './terminal';

export interface AttachIoOptions {
  /** Container has a TTY: output is raw bytes, not stdcopy frames. */
  tty: boolean;
  /** Forward our stdin into the connection (and half-close on EOF). */
  stdin: boolean;
  /** docker's detach keys, honoured only with a TTY; default ctrl-p,ctrl-q. */
  detachKeys?: string;
}

export type AttachEnd = 'ended' | 'detached';

function writeWithBackpressure(stream: NodeJS.WriteStream, chunk: Buffer, source: { pause(): void; resume(): void }): void {
  if (!stream.write(chunk)) {
    source.pause();
    stream.once('drain', () => source.resume());
  }
}

/** Resolves when the daemon closes the output side ('ended') or the user typed the detach keys. */
export function pumpAttach(conn: HijackedConnection, opts: AttachIoOptions): Promise<AttachEnd> {
  const socket = conn.socket;
  return new Promise<AttachEnd>((resolve) => {
    let done = false;
    const finish = (how: AttachEnd) => {
      if (done) return;
      done = true;
      if (opts.stdin) { process.stdin.pause(); process.stdin.removeListener('data', onInput); }
      // Resolve after stdout/stderr have taken everything written so far.
      process.stdout.write('', () => process.stderr.write('', () => resolve(how)));
    };
    const demux = opts.tty ? undefined : new StdcopyDemuxer({
      stdout: (c) => writeWithBackpressure(process.stdout, c, socket),
      stderr: (c) => writeWithBackpressure(process.stderr, c, socket),
    });
    socket.on('data', (chunk: Buffer) => {
      if (demux) demux.push(chunk);
      else writeWithBackpressure(process.stdout, chunk, socket);
    });
    socket.on('end', () => finish('ended'));
    socket.on('close', () => finish('ended'));
    socket.on('error', () => finish('ended'));
    socket.resume();
    // The daemon may have closed the stream (a container with no output) before we got here.
    if (socket.readableEnded || socket.destroyed) finish('ended');

    const filter = opts.tty ? new DetachKeyFilter(parseDetachKeys(opts.detachKeys || 'ctrl-p,ctrl-q')) : undefined;
    function onInput(chunk: Buffer) {
      if (!filter) { socket.write(chunk); return; }
      const { forward, detach } = filter.filter(chunk);
      if (forward.length) socket.write(forward);
      if (detach) { socket.destroy(); finish('detached'); }
    }
    if (opts.stdin) {
      process.stdin.on('data', onInput);
      process.stdin.once('end', () => { if (!done && !socket.destroyed) socket.end(); });
      process.stdin.resume();
    }
  });
}
