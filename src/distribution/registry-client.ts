// An OCI distribution / Docker registry v2 client for one repository set on one registry: auth, manifests and blobs.
import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestStream } from '../archive/digest-stream';
import { InvalidParameterError, NotFoundError, SystemError, UnauthorizedError, type BerthError } from '../errors';
import { basicHeader, parseChallenges, type AuthConfig } from './auth';
import type { Endpoint } from './endpoint';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from './manifest';

interface SendOptions {
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
  /** Follow redirects (blob downloads go to storage backends). */
  follow?: boolean;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

const MAX_ERROR_BODY = 64 * 1024;
const USER_AGENT = 'berth/0.1.0';

export async function readLimited(res: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw new InvalidParameterError(`${what} exceeds the size limit of ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** "unauthorized: authentication required" from a registry's {"errors":[{code,message}]} body. */
function registryMessage(body: Buffer, status: number): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    const e = doc.errors?.[0];
    if (e) return `${(e.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.replace(/^: /, '');
  } catch { /* not JSON */ }
  return `unexpected status from registry: ${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
}

/**
 * Requests to one registry on behalf of one operation. Authentication is
 * lazy, as the protocol wants: a request answered 401 is retried once with
 * Basic credentials or a bearer token fetched from the challenge's realm for
 * `scopes`. A registry on a loopback or --insecure-registry address that
 * does not speak TLS is reached over plain HTTP.
 */
export class RegistryClient {
  private authorization: string | undefined;
  private scheme: 'https' | 'http' = 'https';
  private schemeKnown = false;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly scopes: string[],
    private readonly auth?: AuthConfig,
  ) {
    if (auth?.registrytoken) this.authorization = `Bearer ${auth.registrytoken}`;
  }

  private raw(method: string, url: URL, opts: SendOptions): Promise<IncomingMessage> {
    const mod = url.protocol === 'http:' ? http : https;
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...opts.headers };
    if (this.authorization && url.host === this.endpoint.host) headers.Authorization = this.authorization;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, headers, signal: opts.signal, ...(url.protocol === 'https:' ? this.endpoint.tls : {}) });
      req.on('error', reject);
      req.on('response', resolve);
      if (opts.body instanceof Readable) {
        opts.body.on('error', (err) => req.destroy(err));
        opts.body.pipe(req);
      } else req.end(opts.body);
    });
  }

  /** One request, choosing the scheme on first contact and following redirects when asked. */
  private async sendOnce(method: string, path: string, opts: SendOptions): Promise<IncomingMessage> {
    let url = new URL(`${this.scheme}://${this.endpoint.host}${path}`);
    let res: IncomingMessage;
    try {
      res = await this.raw(method, url, opts);
    } catch (err) {
      if (this.schemeKnown || !this.endpoint.insecure || opts.body instanceof Readable || opts.signal?.aborted) throw this.unreachable(err);
      this.scheme = 'http';
      url = new URL(`http://${this.endpoint.host}${path}`);
      res = await this.raw(method, url, opts).catch((e) => { throw this.unreachable(e); });
    }
    this.schemeKnown = true;
    for (let hops = 0; opts.follow && hops < 5 && [301, 302, 303, 307, 308].includes(res.statusCode ?? 0) && res.headers.location; hops++) {
      res.resume();
      url = new URL(res.headers.location, url);
      res = await this.raw(method, url, { ...opts, body: undefined });
    }
    return res;
  }

  private unreachable(err: unknown): Error {
    return new SystemError(`Get "${this.scheme}://${this.endpoint.host}/v2/": ${(err as Error).message}`, { cause: err });
  }

  /** Send, authenticating on a 401 and retrying once (bodies that are streams must be sent after auth is settled). */
  async send(method: string, path: string, opts: SendOptions = {}): Promise<IncomingMessage> {
    const res = await this.sendOnce(method, path, opts);
    if (res.statusCode !== 401 || opts.body instanceof Readable) return res;
    const challenge = res.headers['www-authenticate'];
    res.resume();
    await this.authenticate(challenge, opts.signal);
    return this.sendOnce(method, path, opts);
  }

  private async authenticate(header: string | string[] | undefined, signal?: AbortSignal): Promise<void> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      this.authorization = `Bearer ${await this.fetchToken(bearer.params, signal)}`;
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic') && this.auth?.username) {
      this.authorization = basicHeader(this.auth);
    }
  }

  private async fetchToken(params: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const s of this.scopes) url.searchParams.append('scope', s);
    if (this.auth?.username) url.searchParams.set('account', this.auth.username);
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT };
    if (this.auth?.username) headers.Authorization = basicHeader(this.auth);
    const mod = url.protocol === 'http:' ? http : https;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      mod.get(url, { headers, signal, ...(url.protocol === 'https:' ? this.endpoint.tls : {}) }, resolve).on('error', reject);
    });
    const body = await readLimited(res, MAX_ERROR_BODY, 'token response');
    if (res.statusCode === 401 || res.statusCode === 403) throw new UnauthorizedError(`Get "${url.origin}${url.pathname}": ${registryMessage(body, res.statusCode)}`);
    if ((res.statusCode ?? 0) >= 300) throw new SystemError(`token request to ${url.origin} failed: ${registryMessage(body, res.statusCode ?? 0)}`);
    const doc = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
    const token = doc.token ?? doc.access_token;
    if (!token) throw new SystemError(`token response from ${url.origin} carries no token`);
    return token;
  }

  /** Turn a non-2xx answer into the error Docker would report. */
  async failure(res: IncomingMessage, what: string, notFound?: string): Promise<BerthError> {
    const status = res.statusCode ?? 0;
    const msg = registryMessage(await readLimited(res, MAX_ERROR_BODY, 'error body').catch(() => Buffer.alloc(0)), status);
    if (status === 401) return new UnauthorizedError(`${what}: ${msg}`);
    if (status === 404 && notFound) return new NotFoundError(`${notFound}: ${msg}`);
    if (status === 404 || status === 403) return new NotFoundError(`${what}: ${msg}`);
    return new SystemError(`${what}: ${msg}`);
  }

  /** Check that the credentials are accepted (GET /v2/), for POST /auth. */
  async ping(): Promise<void> {
    const res = await this.send('GET', '/v2/');
    res.resume();
    if (res.statusCode === 401) throw new UnauthorizedError(`login attempt to ${this.scheme}://${this.endpoint.host}/v2/ failed with status: 401 Unauthorized`);
    if ((res.statusCode ?? 0) >= 300) throw new SystemError(`login attempt to ${this.scheme}://${this.endpoint.host}/v2/ failed with status: ${res.statusCode}`);
  }

  /** GET a manifest or index by tag or digest, size-limited, digest-verified when asked by digest. */
  async getManifest(repo: string, ref: string, notFound: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.send('GET', `/v2/${repo}/manifests/${ref}`, { headers: { Accept: MANIFEST_ACCEPT.join(', ') }, signal });
    if (res.statusCode !== 200) throw await this.failure(res, `GET manifest ${repo}:${ref}`, notFound);
    const declared = Number(res.headers['content-length']);
    if (declared > MAX_MANIFEST_BYTES) {
      res.destroy();
      throw new InvalidParameterError(`manifest too big: ${declared} bytes (limit ${MAX_MANIFEST_BYTES})`);
    }
    const bytes = await readLimited(res, MAX_MANIFEST_BYTES, 'manifest');
    const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
    if (ref.startsWith('sha256:') && digest !== ref) throw new InvalidParameterError(`manifest verification failed for digest ${ref}`);
    return { bytes, digest, mediaType: String(res.headers['content-type'] ?? '') };
  }

  /** A blob's bytes as a stream (not yet verified: the caller hashes while consuming). */
  async getBlob(repo: string, digest: string, signal?: AbortSignal, offset = 0): Promise<{ stream: IncomingMessage; size: number }> {
    const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
    const res = await this.send('GET', `/v2/${repo}/blobs/${digest}`, { follow: true, signal, headers });
    if (res.statusCode !== 200 && res.statusCode !== 206) throw await this.failure(res, `GET blob ${digest}`);
    return { stream: res, size: Number(res.headers['content-length'] ?? -1) };
  }

  /** A small blob (a config) read whole and verified. */
  async getSmallBlob(repo: string, digest: string, limit: number, signal?: AbortSignal): Promise<Buffer> {
    const { stream } = await this.getBlob(repo, digest, signal);
    const bytes = await readLimited(stream, limit, `blob ${digest}`);
    const got = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
    if (got !== digest) throw new InvalidParameterError(`digest mismatch for blob ${digest}: got ${got}`);
    return bytes;
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.send('HEAD', `/v2/${repo}/blobs/${digest}`, { follow: true });
    res.resume();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw await this.failure(res, `HEAD blob ${digest}`);
  }

  /** Ask the registry to link `digest` from repository `from`; false when it wants an upload instead. */
  async mountBlob(repo: string, digest: string, from: string): Promise<boolean> {
    const res = await this.send('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, { headers: { 'Content-Length': '0' } });
    res.resume();
    if (res.statusCode === 201) return true;
    if (res.statusCode === 202) {
      // An upload session was opened instead; cancel it so it does not linger.
      const loc = res.headers.location;
      if (loc) await this.send('DELETE', this.pathOf(loc)).then((r) => r.resume(), () => undefined);
      return false;
    }
    throw await this.failure(res, `mount blob ${digest}`);
  }

  private pathOf(location: string): string {
    const u = new URL(location, `${this.scheme}://${this.endpoint.host}`);
    return u.pathname + u.search;
  }

  /** Upload a stream as one blob (POST, one streamed PATCH, PUT ?digest=); returns its digest and size. */
  async uploadBlob(repo: string, source: Readable, signal?: AbortSignal): Promise<{ digest: string; size: number }> {
    const start = await this.send('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'Content-Length': '0' }, signal });
    start.resume();
    if (start.statusCode !== 202 || !start.headers.location) throw await this.failure(start, `POST blob upload to ${repo}`);
    const hasher = new DigestStream();
    const body = new PassThrough();
    const piping = pipeline(source, hasher, body, signal ? { signal } : {});
    piping.catch(() => undefined);
    let patch: IncomingMessage;
    try {
      patch = await this.send('PATCH', this.pathOf(start.headers.location), {
        headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' }, body, signal,
      });
    } catch (err) {
      body.destroy();
      throw err;
    }
    if (patch.statusCode !== 202 || !patch.headers.location) {
      body.destroy();
      throw await this.failure(patch, `PATCH blob upload to ${repo}`);
    }
    patch.resume();
    await piping;
    const digest = hasher.digest();
    const loc = this.pathOf(patch.headers.location);
    const put = await this.send('PUT', `${loc}${loc.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`, { headers: { 'Content-Length': '0' }, signal });
    put.resume();
    if (put.statusCode !== 201) throw await this.failure(put, `PUT blob ${digest}`);
    return { digest, size: hasher.size };
  }

  async putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<void> {
    const res = await this.send('PUT', `/v2/${repo}/manifests/${ref}`, { headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) }, body: bytes });
    res.resume();
    if (res.statusCode !== 201) throw await this.failure(res, `PUT manifest ${repo}:${ref}`);
  }
}
