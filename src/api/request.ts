// What a route handler receives: the parsed request, its body readers and the hijack.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidParameterError } from '../errors';

const MAX_JSON_BODY = 16 * 1024 * 1024;

export class ApiRequest {
  constructor(
    readonly req: IncomingMessage,
    /** Absent when the request arrived as an HTTP upgrade. */
    readonly res: ServerResponse | undefined,
    readonly params: Record<string, string>,
    readonly query: URLSearchParams,
    readonly version: string,
    /** For upgrade requests: the raw socket and the bytes read past the headers. */
    readonly upgrade?: { socket: Duplex; head: Buffer },
  ) {}

  /** Docker's boolean query values: "1", "true", "True" are true; absent or "0"/"false" false. */
  bool(name: string, fallback = false): boolean {
    const v = this.query.get(name);
    if (v === null || v === '') return fallback;
    return !(v === '0' || v.toLowerCase() === 'false' || v.toLowerCase() === 'no');
  }

  int(name: string): number | undefined {
    const v = this.query.get(name);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new InvalidParameterError(`invalid value for ${name}: ${v}`);
    return Number(v);
  }

  /** Docker's since/until values: Unix seconds (with an optional fraction) or an RFC 3339 date, in nanoseconds; undefined when absent. */
  timeNano(name: string): number | undefined {
    const v = this.query.get(name);
    if (!v) return undefined;
    if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1e9);
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new InvalidParameterError(`invalid time value for ${name}: ${v}`);
    return t * 1e6;
  }

  /** `filters` as Docker encodes it: {"key":["v"]} or the legacy {"key":{"v":true}}. */
  filters(): Record<string, string[]> {
    const raw = this.query.get('filters');
    if (!raw) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidParameterError(`invalid filter: ${raw}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidParameterError(`invalid filter: ${raw}`);
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (Array.isArray(v)) out[k] = v.map(String);
      else if (v && typeof v === 'object') out[k] = Object.keys(v).filter((x) => (v as Record<string, unknown>)[x]);
      else throw new InvalidParameterError(`invalid filter: ${raw}`);
    }
    return out;
  }

  /**
   * An upgrade request's body (exec start sends one) arrives with the raw
   * bytes in `head`: take Content-Length bytes from there (and the socket),
   * and leave the rest in `head` for the hijacked stream.
   */
  private async upgradeBody(): Promise<Buffer> {
    const up = this.upgrade!;
    const length = Number(this.req.headers['content-length'] ?? 0);
    if (!Number.isInteger(length) || length <= 0) return Buffer.alloc(0);
    if (length > MAX_JSON_BODY) throw new InvalidParameterError('request body too large');
    let buf = up.head;
    while (buf.length < length) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (c: Buffer) => { done(); resolve(c); };
        const onEnd = () => { done(); resolve(null); };
        const done = () => { up.socket.off('data', onData); up.socket.off('end', onEnd); up.socket.off('close', onEnd); up.socket.pause(); };
        up.socket.on('data', onData).once('end', onEnd).once('close', onEnd);
        up.socket.resume();
      });
      if (!chunk) throw new InvalidParameterError('request body ended early');
      buf = Buffer.concat([buf, chunk]);
    }
    up.head = buf.subarray(length);
    return buf.subarray(0, length);
  }

  /** The JSON body, or `fallback` when empty. Malformed JSON is a 400. */
  async json<T>(fallback?: T): Promise<T> {
    const chunks: Buffer[] = [];
    let size = 0;
    if (this.upgrade) {
      chunks.push(await this.upgradeBody());
    } else {
      for await (const c of this.req) {
        size += (c as Buffer).length;
        if (size > MAX_JSON_BODY) throw new InvalidParameterError('request body too large');
        chunks.push(c as Buffer);
      }
    }
    const text = Buffer.concat(chunks).toString().trim();
    if (!text) {
      if (fallback !== undefined) return fallback;
      throw new InvalidParameterError('request body is empty');
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new InvalidParameterError(`invalid JSON in request body: ${(err as Error).message}`);
    }
  }
}
