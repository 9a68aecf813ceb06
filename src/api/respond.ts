// Writing responses: JSON, errors in Docker's shape, and the hijacked raw stream.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { API_VERSION } from './version';
import type { ApiRequest } from './request';

export const COMMON_HEADERS: Record<string, string> = {
  'Api-Version': API_VERSION,
  'Docker-Experimental': 'false',
  'Ostype': 'linux',
  'Server': `berth/0.1.0 (linux)`,
};

export function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || status === 304 || body === undefined) {
    res.writeHead(status, COMMON_HEADERS).end();
    return;
  }
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJSON(res, status, { message });
}

/** An upgraded socket answering with a plain HTTP error before any 101 was sent. */
export function sendSocketError(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message }) + '\n';
  socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export interface Hijacked {
  /** Bytes to the client. */
  write(chunk: Buffer): void;
  /** Close our side (the client sees EOF on its output). */
  end(): void;
  /** The client's bytes (stdin) and its half-close. */
  input: NodeJS.ReadableStream;
  /** Fires when the client goes away. */
  onClose(fn: () => void): void;
}

/**
 * Take over the connection for a raw stream, as Docker's attach and exec
 * start do: "101 UPGRADED" when the client asked for an upgrade, otherwise a
 * 200 whose body is the stream.
 */
export function hijack(req: ApiRequest, contentType: string): Hijacked {
  if (req.upgrade) {
    const { socket, head } = req.upgrade;
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
      Object.entries(COMMON_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
    if (head.length) socket.unshift(head);
    (socket as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    return {
      write: (c) => { if (!socket.destroyed) socket.write(c); },
      end: () => { if (!socket.destroyed) socket.end(); },
      input: socket,
      onClose: (fn) => socket.once('close', fn),
    };
  }
  const res = req.res!;
  res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': contentType });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  return {
    write: (c) => { if (!res.destroyed) res.write(c); },
    end: () => { if (!res.destroyed) res.end(); },
    input: req.req,
    onClose: (fn) => res.once('close', fn),
  };
}

/** Docker's stream framing: [stream, 0, 0, 0, size uint32 BE] then the payload. 0 stdin, 1 stdout, 2 stderr. */
export function frame(stream: 0 | 1 | 2 | 3, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** A client's hold on a process's stdio (attach or exec), as the routes bridge it to a hijacked connection. */
export interface StdioSession {
  on(event: 'data', listener: (stream: 'stdout' | 'stderr', chunk: Buffer) => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  write(chunk: Buffer): void;
  closeStdin(): void;
  detach(): void;
}

/**
 * Wire a session to the hijacked connection: output framed (or raw with a
 * TTY), the client's bytes to stdin (sessions drop what they did not ask
 * for), its half-close to closeStdin, its departure to detach.
 */
export function bridgeSession(out: Hijacked, session: StdioSession, tty: boolean): void {
  session.on('data', (stream, chunk) => out.write(tty ? chunk : frame(stream === 'stdout' ? 1 : 2, chunk)));
  session.once('end', () => out.end());
  out.onClose(() => session.detach());
  out.input.on('data', (c: Buffer) => session.write(c));
  out.input.once('end', () => session.closeStdin());
  // Reading an upgrade request's body pauses the socket, and a paused stream ignores new 'data' listeners.
  out.input.resume();
}
