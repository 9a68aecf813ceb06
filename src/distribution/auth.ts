// Registry credentials: the X-Registry-Auth header, the WWW-Authenticate challenge and the bearer-token exchange.
import { InvalidParameterError } from '../errors';

/** Docker's AuthConfig as clients send it (X-Registry-Auth, POST /auth). */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Decode X-Registry-Auth: base64url (or plain base64) JSON; empty or "{}" means anonymous. */
export function decodeRegistryAuth(header: string | undefined): AuthConfig | undefined {
  if (!header) return undefined;
  let text: string;
  try {
    text = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const cfg = JSON.parse(text) as AuthConfig;
    if (!cfg || typeof cfg !== 'object') throw new Error('not an object');
    return normaliseAuth(cfg);
  } catch {
    throw new InvalidParameterError('invalid X-Registry-Auth header: not base64-encoded JSON');
  }
}

/** Fill username/password from `auth` ("user:pass" in base64) when only that is given. */
export function normaliseAuth(cfg: AuthConfig): AuthConfig | undefined {
  const out = { ...cfg };
  if (!out.username && out.auth) {
    const plain = Buffer.from(out.auth, 'base64').toString('utf8');
    const i = plain.indexOf(':');
    if (i > 0) {
      out.username = plain.slice(0, i);
      out.password = plain.slice(i + 1);
    }
  }
  if (!out.username && !out.identitytoken && !out.registrytoken) return undefined;
  return out;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parse `Bearer realm="https://x/token",service="reg",scope="repository:a:pull"` (several challenges allowed). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const text = Array.isArray(header) ? header.join(', ') : header ?? '';
  const out: Challenge[] = [];
  const re = /\s*([A-Za-z][\w-]*)(?:\s+|$)|\s*,?\s*([\w-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    if (m[1]) out.push({ scheme: m[1].toLowerCase(), params: {} });
    else if (out.length) out[out.length - 1].params[m[2].toLowerCase()] = (m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}

export function basicHeader(auth: AuthConfig): string {
  return 'Basic ' + Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
}
