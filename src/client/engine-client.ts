// EngineClient: HTTP to the Engine API over a Unix socket (or TCP), version negotiation, JSON, streams and hijack.
import * as http from 'node:http';
import * as net from 'node:net';
import { Readable } from 'node:stream';
import { ApiError, DaemonUnreachableError } from './errors';
import { DaemonAddress, parseDaemonAddress, resolveHostUrl } from './host';

/** The newest Engine API version this client speaks. */
export const CLIENT_API_VERSION = '1.45';
/** The version assumed when the daemon's /_ping carries no API-Version header (docker's choice). */
export const FALLBACK_API_VERSION = '1.24';

export type QueryValue = string | number | boolean | undefined | null | string[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** A JSON value (serialised), a Buffer/string (sent as is) or a Readable (streamed, chunked). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Prefix the path with /v1.NN (default true). */
  versioned?: boolean;
}

export interface StreamResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  /** The response body, unread. */
  body: http.IncomingMessage;
}

/** A hijacked attach/exec connection: write stdin to `socket`, read the (framed or raw) output from it. */
export interface HijackedConnection {
  statusCode: number;
  headers: Record<string, string>;
  socket: net.Socket;
}

export interface EngineClientOptions {
  /** Daemon URL (unix:///path, tcp://host:port); default from BERTH_HOST, DOCKER_HOST, then unix:///run/berth/berth.sock. */
  host?: string;
  /** Pin the API version and skip negotiation (e.g. "1.41"). */
  apiVersion?: string;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const one of values) {
      const s = typeof one === 'boolean' ? (one ? '1' : '0') : String(one);
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
    }
  }
  return parts.length ? '?' + parts.join('&') : '';
}

/** Read a whole body into a Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

/** Iterate a JSON-lines (or concatenated JSON objects) body, one parsed object at a time. */
export async function* jsonLines<T = Record<string, unknown>>(stream: Readable): AsyncGenerator<T> {
  let buf = '';
  for await (const c of stream) {
    buf += typeof c === 'string' ? c : c.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as T;
}

function errorMessage(body: Buffer, statusCode: number): string {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch { /* not JSON: use the text */ }
  return text.trim() || `${statusCode} ${http.STATUS_CODES[statusCode] ?? ''}`.trim();
}

function isConnectError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ENOTFOUND' || code === 'ECONNRESET';
}

/** A client of one daemon. Cheap to create; negotiates the API version on first use. */
export class EngineClient {
  readonly address: DaemonAddress;
  private readonly agent: http.Agent;
  private version: string | undefined;
  private negotiating: Promise<string> | undefined;
  private pinged: ReturnType<EngineClient['ping']> | undefined;

  constructor(options: EngineClientOptions = {}) {
    this.address = parseDaemonAddress(resolveHostUrl(options.host));
    this.version = options.apiVersion;
    this.agent = new http.Agent({ keepAlive: true });
  }

  /** The API version in use: min(CLIENT_API_VERSION, the daemon's API-Version), negotiated once. */
  async apiVersion(): Promise<string> {
    if (this.version) return this.version;
    this.negotiating ??= this.pingOnce().then((p) => {
      const server = p.apiVersion || FALLBACK_API_VERSION;
      this.version = compareVersions(server, CLIENT_API_VERSION) < 0 ? server : CLIENT_API_VERSION;
      return this.version;
    });
    return this.negotiating;
  }

  /** The daemon's /_ping answer, asked at most once per client (version negotiation shares it). */
  pingOnce(): ReturnType<EngineClient['ping']> {
    this.pinged ??= this.ping();
    return this.pinged;
  }

  /** GET /_ping (unversioned). Returns the daemon's advertised API version and headers. */
  async ping(): Promise<{ apiVersion: string | undefined; osType: string | undefined; headers: http.IncomingHttpHeaders }> {
    const res = await this.request('GET', '/_ping', { versioned: false });
    await readAll(res.body);
    const h = res.headers;
    return { apiVersion: h['api-version'] as string | undefined, osType: h['ostype'] as string | undefined, headers: h };
  }

  private async fullPath(path: string, options: RequestOptions): Promise<string> {
    const prefix = options.versioned === false ? '' : `/v${await this.apiVersion()}`;
    return prefix + path + encodeQuery(options.query);
  }

  private connectOptions(): http.RequestOptions & { servername: string } {
    // servername '' (plain HTTP has no TLS name) spares http's Agent its IP check of the Host header: a ~6 ms regex compile at start-up.
    return this.address.kind === 'unix'
      ? { socketPath: this.address.socketPath, servername: '' }
      : { host: this.address.host, port: this.address.port, servername: '' };
  }

  /**
   * Send a request and resolve once the response headers arrive (the body is left unread).
   * Statuses ≥ 400 reject with ApiError carrying the daemon's message; 304 resolves normally.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<StreamResponse> {
    const fullPath = await this.fullPath(path, options);
    const headers: Record<string, string> = { Host: 'berth', ...options.headers };
    let payload: Buffer | Readable | undefined;
    const body = options.body;
    if (body instanceof Readable) payload = body;
    else if (Buffer.isBuffer(body)) payload = body;
    else if (typeof body === 'string') payload = Buffer.from(body);
    else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['Content-Type'] ??= 'application/json';
    }
    if (Buffer.isBuffer(payload)) headers['Content-Length'] = String(payload.length);
    return new Promise<StreamResponse>((resolve, reject) => {
      const req = http.request({ ...this.connectOptions(), agent: this.agent, method, path: fullPath, headers, signal: options.signal });
      req.on('error', (err) => reject(isConnectError(err) ? new DaemonUnreachableError(this.address.url, { cause: err }) : err));
      req.on('response', (res) => {
        const statusCode = res.statusCode ?? 0;
        if (statusCode >= 400) {
          readAll(res).then((b) => reject(new ApiError(statusCode, errorMessage(b, statusCode))), reject);
          return;
        }
        resolve({ statusCode, headers: res.headers, body: res });
      });
      if (payload instanceof Readable) {
        payload.on('error', (err) => req.destroy(err));
        payload.pipe(req);
      } else req.end(payload);
    });
  }

  /** Request and parse a JSON answer (undefined for an empty body, e.g. 204/304). */
  async json<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const text = await this.text(method, path, options);
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  /** Request and return the body as text (raw JSON for inspect, where byte-exact output matters). */
  async text(method: string, path: string, options: RequestOptions = {}): Promise<string> {
    const res = await this.request(method, path, options);
    return (await readAll(res.body)).toString('utf8');
  }

  /**
   * Upgrade a POST (attach, exec start) to a raw bidirectional stream: sends `Connection: Upgrade`,
   * `Upgrade: tcp`; accepts 101 (or a plain 200 from old daemons) and hands over the socket with any
   * bytes already read pushed back. Rejects with ApiError on ≥ 400.
   */
  async hijack(method: string, path: string, options: RequestOptions = {}): Promise<HijackedConnection> {
    const fullPath = await this.fullPath(path, options);
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = {
      Host: 'berth', Connection: 'Upgrade', Upgrade: 'tcp', ...options.headers,
    };
    if (body) { headers['Content-Type'] ??= 'application/json'; headers['Content-Length'] = String(body.length); }
    const head = `${method} ${fullPath} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
    const socket = this.address.kind === 'unix'
      ? net.connect({ path: this.address.socketPath, allowHalfOpen: true })
      : net.connect({ host: this.address.host, port: this.address.port, allowHalfOpen: true });
    return new Promise<HijackedConnection>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onError = (err: Error) => reject(isConnectError(err) ? new DaemonUnreachableError(this.address.url, { cause: err }) : err);
      const onData = (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.off('error', onError);
        socket.pause();
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const statusCode = Number(/^HTTP\/\d\.\d (\d{3})/.exec(lines[0])?.[1] ?? 0);
        const resHeaders: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) resHeaders[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        const rest = buf.subarray(end + 4);
        if (statusCode >= 400) {
          readErrorBody(socket, rest, resHeaders).then((b) => {
            socket.destroy();
            reject(new ApiError(statusCode, errorMessage(b, statusCode)));
          }, reject);
          return;
        }
        if (rest.length) socket.unshift(rest);
        resolve({ statusCode, headers: resHeaders, socket });
      };
      socket.on('error', onError);
      socket.on('data', onData);
      socket.on('connect', () => { socket.write(head); if (body) socket.write(body); });
    });
  }

  /** Drop pooled keep-alive connections so the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}

async function readErrorBody(socket: net.Socket, rest: Buffer, headers: Record<string, string>): Promise<Buffer> {
  const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
  let buf = rest;
  if (length !== undefined && buf.length >= length) return buf.subarray(0, length);
  socket.resume();
  for await (const c of socket) {
    buf = Buffer.concat([buf, c as Buffer]);
    if (length !== undefined && buf.length >= length) break;
    if (headers['transfer-encoding'] === 'chunked' && buf.includes('\r\n0\r\n\r\n')) break;
  }
  if (headers['transfer-encoding'] === 'chunked') return dechunk(buf);
  return length !== undefined ? buf.subarray(0, length) : buf;
}

function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf('\r\n', pos);
    if (nl < 0) break;
    const size = parseInt(buf.subarray(pos, nl).toString('latin1'), 16);
    if (!size) break;
    out.push(buf.subarray(nl + 2, nl + 2 + size));
    pos = nl + 2 + size + 2;
  }
  return Buffer.concat(out);
}
