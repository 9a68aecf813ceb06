// IPv4 subnet arithmetic for networks: parsing CIDRs, overlap checks, gateways and picking a free default subnet.
import { InvalidParameterError } from '../../errors';

export interface Subnet {
  /** Network address as a 32-bit unsigned number. */
  base: number;
  prefix: number;
}

export function ipToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new InvalidParameterError(`invalid IP address: ${ip}`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.1.0.0/16" → Subnet; host bits must be zero unless `allowHost` (as in --bip 10.1.0.1/16). */
export function parseCidr(cidr: string, allowHost = false): Subnet & { address: number } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 32) throw new InvalidParameterError(`invalid CIDR address: ${cidr}`);
  const prefix = Number(m[2]);
  const address = ipToNumber(m[1]);
  const base = (address & mask(prefix)) >>> 0;
  if (!allowHost && base !== address) throw new InvalidParameterError(`invalid subnet ${cidr}: it should be ${numberToIp(base)}/${prefix}`);
  return { base, prefix, address };
}

export function formatCidr(s: Subnet): string {
  return `${numberToIp(s.base)}/${s.prefix}`;
}

export function contains(s: Subnet, ip: number): boolean {
  return ((ip & mask(s.prefix)) >>> 0) === s.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** The first usable address: Docker's default gateway. */
export function defaultGateway(s: Subnet): string {
  return numberToIp(s.base + 1);
}

/** A gateway or --ip must be a host address inside the subnet. */
export function checkHostAddress(s: Subnet, ip: string, what: string): void {
  const n = ipToNumber(ip);
  const broadcast = s.base + 2 ** (32 - s.prefix) - 1;
  if (!contains(s, n) || (s.prefix < 31 && (n === s.base || n === broadcast))) {
    throw new InvalidParameterError(`${what} ${ip} is not a usable address in subnet ${formatCidr(s)}`);
  }
}

/** Docker's local pools: 172.17-31.0.0/16, then 192.168.N.0/20. */
export function* candidateSubnets(): Generator<Subnet> {
  for (let b = 17; b <= 31; b++) yield { base: ipToNumber(`172.${b}.0.0`), prefix: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: ipToNumber(`192.168.${c}.0`), prefix: 20 };
}

/** The first candidate clashing with nothing in `taken` (host routes and other networks). */
export function pickSubnet(taken: Subnet[], candidates: Iterable<Subnet> = candidateSubnets()): Subnet {
  for (const c of candidates) if (!taken.some((t) => overlaps(c, t))) return c;
  throw new InvalidParameterError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}
