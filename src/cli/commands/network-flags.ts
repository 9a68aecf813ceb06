// run/create's network flags (-p, --network-alias, --ip, --mac-address, --dns-search, --dns-option) → the create body.
import type { Command } from 'commander';
import { StatusError, collect } from '../context';

export interface NetworkFlags {
  network?: string; net?: string; networkAlias?: string[]; ip?: string; macAddress?: string; dnsSearch?: string[]; dnsOption?: string[];
}

export function addNetworkFlags(cmd: Command): Command {
  return cmd
    .option('--network-alias <alias>', 'Add network-scoped alias for the container', collect)
    .option('--ip <address>', 'IPv4 address (e.g., 172.30.100.104)')
    .option('--mac-address <address>', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)')
    .option('--dns-search <domain>', 'Set custom DNS search domains', collect)
    .option('--dns-option <option>', 'Set DNS options', collect);
}

const bad = (msg: string) => new StatusError(125, `invalid argument: ${msg}\nSee 'berth run --help'.`);

function range(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  const start = Number(m?.[1]);
  const end = m?.[2] === undefined ? start : Number(m[2]);
  if (!m || start < 1 || end > 65535 || end < start) throw bad(`invalid ${what}: ${s}`);
  return [start, end];
}

/**
 * "[ip:][hostPort[-end]:]containerPort[-end][/proto]" → one binding per container port, as docker's CLI expands them:
 * equal-sized ranges pair up; one container port with a host range lets the daemon pick in the range.
 */
export function parsePublish(spec: string): Array<{ key: string; binding: { HostIp: string; HostPort: string } }> {
  const slash = spec.lastIndexOf('/');
  const addr = slash >= 0 ? spec.slice(0, slash) : spec;
  const proto = slash >= 0 ? spec.slice(slash + 1) : 'tcp';
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw bad(`invalid proto: ${proto}`);
  let ip = '';
  let rest = addr;
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']');
    ip = addr.slice(1, close);
    rest = addr.slice(close + 2);
  } else if (addr.split(':').length > 2) {
    const i = addr.lastIndexOf(':', addr.lastIndexOf(':') - 1);
    ip = addr.slice(0, i);
    rest = addr.slice(i + 1);
  }
  const parts = rest.split(':');
  if (parts.length > 2) throw bad(`invalid port format: ${spec}`);
  const [host, container] = parts.length === 2 ? parts : ['', parts[0]];
  if (ip && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && !ip.includes(':')) throw bad(`invalid IP address: ${ip}`);
  const [cStart, cEnd] = range(container, 'containerPort');
  const [hStart, hEnd] = host ? range(host, 'hostPort') : [0, 0];
  const cCount = cEnd - cStart + 1;
  if (host && cCount > 1 && hEnd - hStart + 1 !== cCount) throw bad(`invalid ranges specified for container and host Ports: ${container} and ${host}`);
  const out: Array<{ key: string; binding: { HostIp: string; HostPort: string } }> = [];
  for (let i = 0; i < cCount; i++) {
    const hostPort = !host ? '' : cCount > 1 ? String(hStart + i) : hStart === hEnd ? String(hStart) : `${hStart}-${hEnd}`;
    out.push({ key: `${cStart + i}/${proto}`, binding: { HostIp: ip, HostPort: hostPort } });
  }
  return out;
}

/** Fill the network parts of the create body: DnsSearch/DnsOptions on HostConfig, the primary network's endpoint settings. */
export function networkingConfig(flags: NetworkFlags, hostConfig: Record<string, unknown>): { EndpointsConfig: Record<string, unknown> } {
  if (flags.dnsSearch) hostConfig.DnsSearch = flags.dnsSearch;
  if (flags.dnsOption) hostConfig.DnsOptions = flags.dnsOption;
  const network = flags.network ?? flags.net ?? 'default';
  const endpoint: Record<string, unknown> = {};
  if (flags.ip) endpoint.IPAMConfig = { IPv4Address: flags.ip };
  if (flags.networkAlias?.length) endpoint.Aliases = flags.networkAlias;
  if (flags.macAddress) endpoint.MacAddress = flags.macAddress;
  return { EndpointsConfig: Object.keys(endpoint).length ? { [network]: endpoint } : {} };
}
