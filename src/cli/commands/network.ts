// `network create|ls|inspect|rm|prune|connect|disconnect` and `port`, shaped as docker's.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor, collect, filtersJson, keyValues, writeOut } from '../context';
import { formatRows, shortId } from '../format/formatter';
import { confirm, reportEach } from './common';
import { inspectObjects } from './inspect';

interface NetworkSummary { Name: string; Id: string; Created: string; Driver: string; Scope: string; EnableIPv6: boolean; Internal: boolean; Labels: Record<string, string> | null }

const NETWORK_LABELS: Record<string, string> = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' };
const NETWORK_DEFAULT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** One network for --format; methods are the template's fields. */
class NetworkRow {
  constructor(private readonly n: NetworkSummary, private readonly trunc: boolean) {}
  ID(): string { return this.trunc ? shortId(this.n.Id) : this.n.Id; }
  Name(): string { return this.n.Name; }
  Driver(): string { return this.n.Driver; }
  Scope(): string { return this.n.Scope; }
  IPv6(): string { return String(this.n.EnableIPv6); }
  Internal(): string { return String(this.n.Internal); }
  Labels(): string { return Object.entries(this.n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','); }
  CreatedAt(): string { return this.n.Created; }
}

export function registerNetworkCreate(parent: Command): Command {
  return subcommand(parent, 'create', '[OPTIONS] NETWORK', 'Create a network')
    .argument('<network>')
    .option('-d, --driver <driver>', 'Driver to manage the Network', 'bridge')
    .option('--subnet <subnet>', 'Subnet in CIDR format that represents a network segment', collect)
    .option('--gateway <gateway>', 'IPv4 or IPv6 Gateway for the master subnet', collect)
    .option('--ip-range <range>', 'Allocate container ip from a sub-range', collect)
    .option('--internal', 'Restrict external access to the network')
    .option('--attachable', 'Enable manual container attachment')
    .option('--ipv6', 'Enable IPv6 networking')
    .option('--label <label>', 'Set metadata on a network', collect)
    .option('-o, --opt <opt>', 'Set driver specific options', collect)
    .action(async (name: string, o: { driver: string; subnet?: string[]; gateway?: string[]; ipRange?: string[]; internal?: boolean; attachable?: boolean; ipv6?: boolean; label?: string[]; opt?: string[] }, cmd: Command) => {
      if ((o.gateway?.length ?? 0) > (o.subnet?.length ?? 0)) throw new StatusError(1, 'every ip-range or gateway must have a corresponding subnet');
      const config = (o.subnet ?? []).map((Subnet, i) => ({ Subnet, ...(o.gateway?.[i] ? { Gateway: o.gateway[i] } : {}), ...(o.ipRange?.[i] ? { IPRange: o.ipRange[i] } : {}) }));
      const res = await clientFor(cmd).json<{ Id: string }>('POST', '/networks/create', {
        body: {
          Name: name, Driver: o.driver, Internal: !!o.internal, Attachable: !!o.attachable, EnableIPv6: !!o.ipv6,
          IPAM: { Driver: 'default', Config: config, Options: {} }, Options: keyValues(o.opt), Labels: keyValues(o.label),
        },
      });
      await writeOut(`${res.Id}\n`);
    });
}

export function registerNetworkLs(parent: Command): Command {
  return subcommand(parent, 'ls', '[OPTIONS]', 'List networks')
    .aliases(['list'])
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "driver=bridge")', collect)
    .option('--format <format>', 'Format output using a custom template')
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(async (o: { filter?: string[]; format?: string; trunc?: boolean; quiet?: boolean }, cmd: Command) => {
      const list = await clientFor(cmd).json<NetworkSummary[]>('GET', '/networks', { query: { filters: filtersJson(o.filter) } });
      list.sort((a, b) => a.Name.localeCompare(b.Name));
      const format = o.format ?? (o.quiet ? '{{.ID}}' : NETWORK_DEFAULT);
      await writeOut(formatRows(format, list.map((n) => new NetworkRow(n, o.trunc !== false)), NETWORK_LABELS));
    });
}

export function registerNetworkInspect(parent: Command): Command {
  return subcommand(parent, 'inspect', '[OPTIONS] NETWORK [NETWORK...]', 'Display detailed information on one or more networks')
    .argument('<networks...>')
    .option('-f, --format <format>', 'Format output using a custom template')
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(async (names: string[], o: { format?: string }, cmd: Command) => {
      await inspectObjects(clientFor(cmd), names, 'network', o.format, false);
    });
}

export function registerNetworkRm(parent: Command): Command {
  return subcommand(parent, 'rm', 'NETWORK [NETWORK...]', 'Remove one or more networks')
    .aliases(['remove'])
    .argument('<networks...>')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (names: string[], _o: unknown, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(names, async (n) => {
        await client.request('DELETE', `/networks/${encodeURIComponent(n)}`).then((r) => r.body.resume());
        return `${n}\n`;
      });
    });
}

export function registerNetworkPrune(parent: Command): Command {
  return subcommand(parent, 'prune', '[OPTIONS]', 'Remove all unused networks')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { filter?: string[]; force?: boolean }, cmd: Command) => {
      if (!o.force && !(await confirm('WARNING! This will remove all custom networks not used by at least one container.'))) throw new StatusError(0);
      const res = await clientFor(cmd).json<{ NetworksDeleted?: string[] | null }>('POST', '/networks/prune', { query: { filters: filtersJson(o.filter) } });
      const deleted = res.NetworksDeleted ?? [];
      await writeOut(deleted.length ? 'Deleted Networks:\n' + deleted.map((d) => d + '\n').join('') + '\n' : '');
    });
}

export function registerNetworkConnect(parent: Command): Command {
  return subcommand(parent, 'connect', '[OPTIONS] NETWORK CONTAINER', 'Connect a container to a network')
    .argument('<network>').argument('<container>')
    .option('--alias <alias>', 'Add network-scoped alias for the container', collect)
    .option('--ip <address>', 'IPv4 address (e.g., "172.30.100.104")')
    .option('--mac-address <address>', 'MAC address')
    .action(async (network: string, container: string, o: { alias?: string[]; ip?: string; macAddress?: string }, cmd: Command) => {
      const EndpointConfig = { ...(o.ip ? { IPAMConfig: { IPv4Address: o.ip } } : {}), ...(o.alias ? { Aliases: o.alias } : {}), ...(o.macAddress ? { MacAddress: o.macAddress } : {}) };
      await clientFor(cmd).request('POST', `/networks/${encodeURIComponent(network)}/connect`, { body: { Container: container, EndpointConfig } }).then((r) => r.body.resume());
    });
}

export function registerNetworkDisconnect(parent: Command): Command {
  return subcommand(parent, 'disconnect', '[OPTIONS] NETWORK CONTAINER', 'Disconnect a container from a network')
    .argument('<network>').argument('<container>')
    .option('-f, --force', 'Force the container to disconnect from a network')
    .action(async (network: string, container: string, o: { force?: boolean }, cmd: Command) => {
      await clientFor(cmd).request('POST', `/networks/${encodeURIComponent(network)}/disconnect`, { body: { Container: container, Force: !!o.force } }).then((r) => r.body.resume());
    });
}

type PortView = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

export function registerPort(parent: Command, name: string): Command {
  return subcommand(parent, name, 'CONTAINER [PRIVATE_PORT[/PROTO]]', 'List port mappings or a specific mapping for the container')
    .argument('<container>').argument('[port]')
    .action(async (container: string, port: string | undefined, _o: unknown, cmd: Command) => {
      const c = await clientFor(cmd).json<{ Name: string; NetworkSettings?: { Ports?: PortView } }>('GET', `/containers/${encodeURIComponent(container)}/json`);
      const ports = c.NetworkSettings?.Ports ?? {};
      const addr = (b: { HostIp: string; HostPort: string }) => `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:${b.HostPort}`;
      if (port) {
        const key = port.includes('/') ? port : `${port}/tcp`;
        const list = ports[key];
        if (!list?.length) throw new StatusError(1, `Error: No public port '${key}' published for ${c.Name.replace(/^\//, '')}`);
        await writeOut(list.map((b) => addr(b) + '\n').join(''));
        return;
      }
      const keys = Object.keys(ports).sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
      await writeOut(keys.flatMap((k) => (ports[k] ?? []).map((b) => `${k} -> ${addr(b)}\n`)).join(''));
    });
}
