// The /etc/hosts, /etc/hostname and /etc/resolv.conf files berth writes for each container, as Docker does.
import { readFile } from 'node:fs/promises';

const HOSTS_BASE = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** /etc/hosts for a container; `ip` adds the container's own line. */
export function hostsFile(hostname: string, ip?: string, extra: string[] = []): string {
  const lines = [...HOSTS_BASE, ...extra];
  if (ip) lines.push(`${ip}\t${hostname}`);
  return lines.join('\n') + '\n';
}

/**
 * The host's resolv.conf with loopback nameservers removed (they can't be
 * reached from another network namespace); Google's public DNS if none is
 * left. With host networking the file is copied as is.
 */
export async function resolvConf(hostNetwork: boolean, source = '/etc/resolv.conf'): Promise<string> {
  const text = await readFile(source, 'utf8').catch(() => '');
  if (hostNetwork) return text;
  const lines = text.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) {
    lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  }
  return lines.filter((l, i, a) => l !== '' || i < a.length - 1).join('\n') + '\n';
}
