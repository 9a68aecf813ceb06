// The socket-redirect program's map contents (bpf/sock-redirect.bpf.c) as bpftool batch lines: entries wanted, and the changes from what is there.
import { isIPv4 } from 'node:net';
import os from 'node:os';
import type { PublishedPorts } from './port-nat';

/** The protocols the program redirects, by IANA number; SCTP stays on the DNAT rules. */
const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17 };

/** "10.1.0.2" → "0a 01 00 02" (network byte order); undefined for anything but a dotted IPv4 address. */
export function ipHex(ip: string): string | undefined {
  if (!isIPv4(ip)) return undefined;
  return ip.split('.').map((o) => hex(Number(o))).join(' ');
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function portHex(port: number): string {
  return `${hex(port >> 8)} ${hex(port & 0xff)}`;
}

/**
 * The `services` map as key → value hex: a host ip:port (0.0.0.0 for any of the host's addresses) and protocol →
 * the container's ip:port.
 */
export function serviceEntries(published: PublishedPorts[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of published) {
    const to = ipHex(p.ip);
    if (!to) continue;
    for (const m of p.ports) {
      const from = ipHex(m.hostIp || '0.0.0.0');
      const proto = PROTOCOLS[m.protocol];
      if (!proto || !from) continue;
      out.set(`${from} ${portHex(m.hostPort)} ${hex(proto)} 00`, `${to} ${portHex(m.containerPort)} 00 00`);
    }
  }
  return out;
}

/** The `locals` map: the daemon's own IPv4 addresses outside 127/8 (where a 0.0.0.0 binding answers) → 1. */
export function localEntries(interfaces = os.networkInterfaces()): Map<string, string> {
  const out = new Map<string, string>();
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) {
      const key = a.family === 'IPv4' && !a.address.startsWith('127.') ? ipHex(a.address) : undefined;
      if (key) out.set(key, '01');
    }
  }
  return out;
}

/** A u64 in the machine's byte order, as the program reads it from the `config` map. */
export function u64Hex(n: bigint): string {
  const b = Buffer.alloc(8);
  if (os.endianness() === 'LE') b.writeBigUInt64LE(n);
  else b.writeBigUInt64BE(n);
  return [...b].map(hex).join(' ');
}

/** bpftool batch lines turning the pinned map at `pin` from `had` into `want`: updates first, then deletes. */
export function mapChanges(pin: string, had: Map<string, string>, want: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [k, v] of want) if (had.get(k) !== v) lines.push(`map update pinned ${pin} key hex ${k} value hex ${v}`);
  for (const k of had.keys()) if (!want.has(k)) lines.push(`map delete pinned ${pin} key hex ${k}`);
  return lines;
}
