// The one module that touches node-unix-socket: conmon's SOCK_SEQPACKET attach socket as an AttachConnection.
import { EventEmitter } from 'node:events';
import { SeqpacketSocket } from 'node-unix-socket';
import { hasCode, NotFoundError, UnavailableError } from '../errors';
import type { AttachConnection } from './index';

/** conmon prefixes every packet it sends with one byte naming the pipe (conmon's stdpipe_t). */
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;

/**
 * Wraps one SeqpacketSocket. The addon aborts the process when a socket is
 * destroyed synchronously inside its own 'data' handler, so every destroy here
 * is deferred with setImmediate, whoever asks for it.
 */
class SeqpacketAttach extends EventEmitter implements AttachConnection {
  private closed = false;
  private stdinClosed = false;

  constructor(private readonly socket: SeqpacketSocket) {
    super();
    socket.on('data', (packet: Buffer) => {
      if (this.closed || packet.length < 1) return;
      const kind = packet[0];
      if (kind === STDOUT_PIPE) this.emit('data', 'stdout', packet.subarray(1));
      else if (kind === STDERR_PIPE) this.emit('data', 'stderr', packet.subarray(1));
    });
    // conmon closes its side when the container's stdio ends.
    socket.on('end', () => this.close());
    socket.on('error', (err: Error) => {
      if (!this.closed && this.listenerCount('error') > 0) this.emit('error', err);
      this.close();
    });
  }

  write(chunk: Buffer): void {
    if (this.closed || this.stdinClosed || chunk.length === 0) return;
    this.socket.write(chunk);
  }

  closeStdin(): void {
    if (this.closed || this.stdinClosed) return;
    this.stdinClosed = true;
    this.socket.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => {
      this.socket.destroy();
      this.emit('close');
    });
  }
}

/** Connect to conmon's attach socket at `path` (keep it under 108 bytes: use the `<sockdir>/<id>/attach` link). */
export function connectAttach(path: string): Promise<AttachConnection> {
  return new Promise((resolve, reject) => {
    const socket = new SeqpacketSocket();
    const onError = (err: Error) => {
      setImmediate(() => socket.destroy());
      reject(new UnavailableError(`cannot attach to ${path}: ${err.message}`, { cause: err }));
    };
    socket.once('error', onError);
    try {
      socket.connect(path, () => {
        socket.off('error', onError);
        resolve(new SeqpacketAttach(socket));
      });
    } catch (err) {
      setImmediate(() => socket.destroy());
      const msg = err instanceof Error ? err.message : String(err);
      if (hasCode(err, 'ENOENT') || /ENOENT|No such file/i.test(msg)) {
        reject(new NotFoundError(`no attach socket at ${path}`, { cause: err }));
      } else {
        reject(new UnavailableError(`cannot attach to ${path}: ${msg}`, { cause: err }));
      }
    }
  });
}
