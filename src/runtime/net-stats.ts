// Network counters of a container for its stats: /proc/<pid>/net/dev read from the host shows the pid's network namespace.
import { readFile } from 'node:fs/promises';

export interface InterfaceStats {
  rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number;
  tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number;
}

/** Docker's `networks` object from the text of /proc/net/dev: every interface but loopback. */
export function parseNetDev(text: string): Record<string, InterfaceStats> {
  const out: Record<string, InterfaceStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out[m[1]] = {
      rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3],
      tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11],
    };
  }
  return out;
}

/** The counters of `pid`'s network namespace, or undefined when it has no interface besides loopback (or is gone). */
export async function readNetworkStats(pid: number): Promise<Record<string, InterfaceStats> | undefined> {
  const text = await readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const nets = parseNetDev(text);
  return Object.keys(nets).length ? nets : undefined;
}
