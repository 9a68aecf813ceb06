// Where a registry lives and how to reach it: host, plain HTTP or TLS, and per-registry CAs from certs.d.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

export interface EndpointOptions {
  /** `--insecure-registry` entries: host[:port] or CIDRs; plain HTTP is allowed for these. */
  insecureRegistries?: string[];
  /** Directory of per-registry TLS material (`<dir>/<host[:port]>/*.crt`, client.cert/client.key). */
  certsDir?: string;
}

export interface Endpoint {
  /** The reference's domain, e.g. "docker.io" or "localhost:5000". */
  domain: string;
  /** host[:port] to connect to. */
  host: string;
  /** Whether plain HTTP may be tried (after HTTPS fails). */
  insecure: boolean;
  /** Extra TLS options (CA bundle with the registry's own CAs, client certificate). */
  tls: { ca?: string[]; cert?: Buffer; key?: Buffer };
}

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(net);
  const n = Number(bits);
  if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (a & mask) === (b & mask);
}

/** Docker's rule: loopback (localhost, 127.0.0.0/8, ::1) and --insecure-registry entries may use plain HTTP. */
export function isInsecure(domain: string, insecure: string[] = []): boolean {
  const hostOnly = domain.startsWith('[') ? domain.slice(1, domain.indexOf(']')) : domain.replace(/:\d+$/, '');
  if (hostOnly === 'localhost' || hostOnly === '::1' || inCidr(hostOnly, '127.0.0.0/8')) return true;
  return insecure.some((e) => e === domain || e === hostOnly || (e.includes('/') && inCidr(hostOnly, e)));
}

export function resolveEndpoint(domain: string, opts: EndpointOptions = {}): Endpoint {
  const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  const tls: Endpoint['tls'] = {};
  const dir = join(opts.certsDir ?? '/etc/docker/certs.d', domain.replace(/[/\\]/g, '_'));
  try {
    const names = readdirSync(dir);
    const cas = names.filter((n) => n.endsWith('.crt')).map((n) => readFileSync(join(dir, n), 'utf8'));
    if (cas.length) tls.ca = [...rootCertificates, ...cas];
    if (names.includes('client.cert') && names.includes('client.key')) {
      tls.cert = readFileSync(join(dir, 'client.cert'));
      tls.key = readFileSync(join(dir, 'client.key'));
    }
  } catch {
    // No per-registry material: the system CAs alone.
  }
  return { domain, host, insecure: isInsecure(domain, opts.insecureRegistries), tls };
}
