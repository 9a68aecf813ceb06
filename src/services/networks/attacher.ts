// Containers on bridge networks: their sandbox at start and stop, connect/disconnect, /etc files and name lookups.
import { readFile } from 'node:fs/promises';
import { ConflictError, ForbiddenError, InvalidParameterError, NotFoundError } from '../../errors';
import type { ContainerRecord, HostConfig } from '../containers/record';
import type { NetworkAttacher, NetworkSandbox } from '../containers/network';
import { resolvConf } from '../containers/etc-files';
import type { Endpoints } from './endpoints';
import { checkHostAddress, parseCidr } from './ipam';
import type { LocalNetworkService } from './network-service';
import { portRequests, portsView, type PortBindings } from './port-spec';
import { endpointView } from './views';
import type { EndpointRecord, EndpointSettings, NetworkConnector, NetworkRecord } from './index';

const MAC_RE = /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/;

type Networks = Record<string, EndpointSettings & { NetworkID?: string }>;

export class BridgeAttacher implements NetworkAttacher, NetworkConnector {
  readonly bridgeAvailable = true;
  /** Resolvers for queries from an address we do not know. */
  private fallbackUpstreams: string[] = [];

  constructor(private readonly service: LocalNetworkService, private readonly endpoints: Endpoints) {
    void hostResolvers().then((s) => { this.fallbackUpstreams = s; });
  }

  /** At create: check the network mode, endpoint settings and ports; the initial NetworkSettings. */
  prepare(hc: HostConfig, networkingConfig: unknown, config: { ExposedPorts?: Record<string, object> | null; MacAddress?: unknown }): Record<string, unknown> {
    portRequests(hc.PortBindings as PortBindings | undefined, config.ExposedPorts, !!hc.PublishAllPorts);
    checkDnsSettings(hc);
    const mode = hc.NetworkMode || 'default';
    if (mode === 'none' || mode === 'host') return {};
    if (mode.startsWith('container:')) {
      this.service.directory.get(mode.slice('container:'.length));
      return {};
    }
    // As Docker does since v26, a missing network fails the start, not the create (the CLI would try a pull on a 404).
    const primary = this.findNetwork(mode);
    if (!primary) return { Networks: { [mode]: endpointView('', {}) } };
    const requested = ((networkingConfig as { EndpointsConfig?: Record<string, EndpointSettings | null> } | null)?.EndpointsConfig) ?? {};
    const networks: Networks = {};
    const entries = Object.entries(requested);
    if (!entries.some(([k]) => this.sameNetwork(k, primary))) entries.unshift([mode, {}]);
    for (const [key, raw] of entries) {
      const net: NetworkRecord = this.sameNetwork(key, primary) ? primary : this.service.find(key);
      const settings = this.checkSettings(net, raw ?? {});
      if (net === primary && !settings.MacAddress && typeof config.MacAddress === 'string' && config.MacAddress) settings.MacAddress = config.MacAddress;
      networks[net.name] = endpointView(net.id, settings);
    }
    return { Networks: networks };
  }

  async attach(r: ContainerRecord): Promise<NetworkSandbox> {
    const mode = r.hostConfig.NetworkMode || 'default';
    if (mode.startsWith('container:')) return this.joinContainer(r, mode.slice('container:'.length));
    const primary = this.networkOf(mode);
    const wanted = (r.networkSettings.Networks ?? {}) as Networks;
    if (!wanted[primary.name]) wanted[primary.name] = endpointView(primary.id, {});
    const order = [primary.name, ...Object.keys(wanted).filter((k) => k !== primary.name)];
    const upstreams = (r.hostConfig.Dns as string[] | undefined)?.length ? (r.hostConfig.Dns as string[]) : await hostResolvers();
    const sb = await this.endpoints.createSandbox(r.id, upstreams);
    const joined: Array<[NetworkRecord, EndpointRecord, EndpointSettings]> = [];
    try {
      const ports = portRequests(r.hostConfig.PortBindings as PortBindings | undefined, r.config.ExposedPorts, !!r.hostConfig.PublishAllPorts);
      for (const name of order) {
        const net = name === primary.name ? primary : this.service.networks.get(wanted[name].NetworkID ?? '') ?? this.service.find(name);
        const settings = wanted[name];
        const isPrimary = net === primary;
        const join = this.endpoints.join(sb, net, {
          ip: settings.IPAMConfig?.IPv4Address || undefined, mac: settings.MacAddress || undefined, aliases: settings.Aliases ?? [],
          primary: isPrimary, ports: isPrimary ? ports : [],
        });
        const [ep] = await Promise.all([join, isPrimary ? this.endpoints.loopbackUp(sb) : undefined]);
        joined.push([net, ep, settings]);
      }
    } catch (err) {
      await this.endpoints.destroy(r.id, (id) => this.service.networks.get(id));
      throw err;
    }
    const [, pep] = joined[0];
    const networks: Networks = {};
    for (const [net, ep, settings] of joined) {
      networks[net.name] = endpointView(net.id, settings, ep, this.dnsNames(r, net, ep));
      this.service.emit(net, 'connect', { container: r.id });
    }
    r.networkSettings = {
      Bridge: '', SandboxID: r.id, SandboxKey: sb.netns, HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
      Ports: portsView(r.config.ExposedPorts, pep.ports), SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
      ...topLevel(primary.builtin ? pep : undefined), Networks: networks,
    };
    return {
      mode: 'path', netnsPath: sb.netns, ip: pep.ip,
      resolvConf: await this.resolvConf(r, joined.map(([net]) => net).find((n) => !n.builtin) ?? primary), extraHosts: this.extraHosts(r),
    };
  }

  async detach(r: ContainerRecord): Promise<void> {
    const sb = this.endpoints.sandboxes.get(r.id);
    if (!sb) return;
    for (const id of Object.keys(sb.endpoints)) {
      const net = this.service.networks.get(id);
      if (net) this.service.emit(net, 'disconnect', { container: r.id });
    }
    await this.endpoints.destroy(r.id, (id) => this.service.networks.get(id));
    const networks: Networks = {};
    for (const [name, s] of Object.entries((r.networkSettings.Networks ?? {}) as Networks)) networks[name] = endpointView(s.NetworkID ?? '', s);
    r.networkSettings = { ...r.networkSettings, SandboxID: '', SandboxKey: '', Ports: {}, ...topLevel(undefined), Networks: networks };
  }

  async connect(idOrName: string, container: string, settings: EndpointSettings): Promise<void> {
    const net = this.service.find(idOrName);
    const r = this.service.directory.get(container);
    const mode = r.hostConfig.NetworkMode || 'default';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      throw new ForbiddenError(`container sharing network namespace with another container or host cannot be connected to any other network`);
    }
    const networks = ((r.networkSettings.Networks ??= {}) as Networks);
    if (networks[net.name]) throw new ForbiddenError(`endpoint with name ${r.name.slice(1)} already exists in network ${net.name}`);
    const s = this.checkSettings(net, settings ?? {});
    const sb = r.state.Running ? this.endpoints.sandboxes.get(r.id) : undefined;
    if (sb) {
      const ep = await this.endpoints.join(sb, net, { ip: s.IPAMConfig?.IPv4Address || undefined, mac: s.MacAddress || undefined, aliases: s.Aliases ?? [], primary: false, ports: [] });
      networks[net.name] = endpointView(net.id, s, ep, this.dnsNames(r, net, ep));
    } else {
      networks[net.name] = endpointView(net.id, s);
    }
    await this.service.directory.save(r);
    this.service.emit(net, 'connect', { container: r.id });
  }

  async disconnect(idOrName: string, container: string, _force: boolean): Promise<void> {
    const net = this.service.find(idOrName);
    const r = this.service.directory.get(container);
    const networks = (r.networkSettings.Networks ?? {}) as Networks;
    if (!networks[net.name]) throw new ForbiddenError(`container ${r.id} is not connected to network ${net.name}`);
    const sb = this.endpoints.sandboxes.get(r.id);
    if (sb) await this.endpoints.leave(sb, net);
    delete networks[net.name];
    await this.service.directory.save(r);
    this.service.emit(net, 'disconnect', { container: r.id });
  }

  /** The embedded DNS's view: which addresses `name` has for the container at clientIp (user networks only). */
  lookup(clientIp: string, name: string): { addresses: string[]; upstreams: string[] } {
    const sandboxes = [...this.endpoints.sandboxes.values()];
    const client = sandboxes.find((sb) => Object.values(sb.endpoints).some((e) => e.ip === clientIp));
    const upstreams = client?.upstreams ?? this.fallbackUpstreams;
    if (!client) return { addresses: [], upstreams };
    const shared = Object.keys(client.endpoints).filter((id) => this.service.networks.get(id)?.builtin === false);
    const addresses: string[] = [];
    for (const sb of sandboxes) {
      let r: ContainerRecord;
      try { r = this.service.directory.get(sb.containerId); } catch { continue; }
      for (const id of shared) {
        const ep = sb.endpoints[id];
        const net = this.service.networks.get(id);
        if (ep?.ip && net && (this.dnsNames(r, net, ep) ?? []).some((n) => n.toLowerCase() === name)) addresses.push(ep.ip);
      }
    }
    return { addresses, upstreams };
  }

  /** Tear down sandboxes whose container is gone or not running (a crash between start and record, or a removal). */
  async sweep(): Promise<void> {
    for (const sb of [...this.endpoints.sandboxes.values()]) {
      let running = false;
      try { running = this.service.directory.get(sb.containerId).state.Running; } catch { /* no such container */ }
      if (!running) await this.endpoints.destroy(sb.containerId, (id) => this.service.networks.get(id));
    }
  }

  private dnsNames(r: ContainerRecord, net: NetworkRecord, ep: EndpointRecord): string[] | null {
    if (net.builtin) return null;
    return [r.name.slice(1), r.id.slice(0, 12), ...ep.aliases];
  }

  private findNetwork(mode: string): NetworkRecord | undefined {
    try {
      return this.networkOf(mode);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private networkOf(mode: string): NetworkRecord {
    return mode === 'default' || mode === 'bridge' ? this.service.defaultNetwork : this.service.find(mode);
  }

  private sameNetwork(key: string, net: NetworkRecord): boolean {
    return key === net.name || key === net.id || (net.builtin && key === 'default') || (key.length >= 12 && net.id.startsWith(key));
  }

  private checkSettings(net: NetworkRecord, raw: EndpointSettings): EndpointSettings {
    const s: EndpointSettings = { ...raw };
    const ip = s.IPAMConfig?.IPv4Address;
    if (net.builtin && ip) throw new InvalidParameterError('user specified IP address is supported on user defined networks only');
    if (net.builtin && s.Aliases?.length) throw new InvalidParameterError('network-scoped alias is supported only for containers in user defined networks');
    if (ip) {
      checkHostAddress(parseCidr(net.subnet), ip, 'IP address');
      if (ip === net.gateway) throw new ConflictError(`Address already in use: ${ip} is the gateway of network ${net.name}`);
    }
    if (s.MacAddress && !MAC_RE.test(s.MacAddress)) throw new InvalidParameterError(`${s.MacAddress} is not a valid mac address`);
    if (s.Aliases && (!Array.isArray(s.Aliases) || s.Aliases.some((a) => typeof a !== 'string' || !WORD_RE.test(a)))) throw new InvalidParameterError('invalid network alias');
    return s;
  }

  private async joinContainer(r: ContainerRecord, target: string): Promise<NetworkSandbox> {
    const t = this.service.directory.get(target);
    if (t.id === r.id) throw new InvalidParameterError('cannot join own network namespace');
    if (!t.state.Running) throw new ConflictError(`cannot join network namespace of a non running container: container ${t.id} is ${t.state.Status}`);
    r.networkSettings = { Ports: {}, SandboxID: '', SandboxKey: '', Networks: {} };
    if ((t.hostConfig.NetworkMode || 'default') === 'host') return { mode: 'host' };
    return {
      mode: 'path', netnsPath: `/proc/${t.state.Pid}/ns/net`,
      resolvConf: await readFile(t.resolvConfPath, 'utf8').catch(() => undefined), extraHosts: this.extraHosts(r),
    };
  }

  /** On any user network, names resolve through the embedded DNS on its gateway; on the default bridge only, through the host's resolvers. */
  private async resolvConf(r: ContainerRecord, dnsNetwork: NetworkRecord): Promise<string> {
    const hc = r.hostConfig as HostConfig & { Dns?: string[]; DnsSearch?: string[]; DnsOptions?: string[] };
    const base = (await resolvConf(false)).split('\n').filter((l) => l.trim());
    const servers = dnsNetwork.builtin ? (hc.Dns?.length ? hc.Dns : base.filter((l) => /^\s*nameserver\s/.test(l)).map((l) => l.trim().split(/\s+/)[1])) : [dnsNetwork.gateway];
    const search = hc.DnsSearch?.length ? hc.DnsSearch : base.filter((l) => /^\s*search\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
    const options = hc.DnsOptions?.length ? hc.DnsOptions : base.filter((l) => /^\s*options\s/.test(l)).flatMap((l) => l.trim().split(/\s+/).slice(1));
    const lines = [...servers.map((s) => `nameserver ${s}`), ...(search.length ? [`search ${search.join(' ')}`] : []), ...(options.length ? [`options ${options.join(' ')}`] : [])];
    return lines.join('\n') + '\n';
  }

  /** --add-host "name:ip" (host-gateway is the default bridge's address) as /etc/hosts lines. */
  private extraHosts(r: ContainerRecord): string[] {
    return ((r.hostConfig.ExtraHosts as string[] | null | undefined) ?? []).map((h) => {
      const i = h.search(/[:=]/);
      const name = h.slice(0, i);
      const ip = h.slice(i + 1);
      return `${ip === 'host-gateway' ? this.service.defaultNetwork.gateway : ip}\t${name}`;
    });
  }
}

const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;
const WORD_RE = /^[^\s#;]+$/;

/** --add-host, --dns, --dns-search and --dns-option end up as lines of the container's files: one clean word each. */
function checkDnsSettings(hc: HostConfig): void {
  const list = (k: string) => {
    const v = hc[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidParameterError(`${k} must be a list of strings`);
    return v as string[];
  };
  for (const h of list('ExtraHosts')) {
    const i = h.search(/[:=]/);
    const [name, ip] = [h.slice(0, i), h.slice(i + 1)];
    if (i <= 0 || !WORD_RE.test(name) || (ip !== 'host-gateway' && !IPV4_RE.test(ip) && !/^[0-9a-fA-F:]+$/.test(ip))) throw new InvalidParameterError(`invalid IP address in add-host: "${h}"`);
  }
  for (const d of list('Dns')) if (!IPV4_RE.test(d) && !/^[0-9a-fA-F:]+$/.test(d)) throw new InvalidParameterError(`${d} is not an ip address`);
  for (const d of [...list('DnsSearch'), ...list('DnsOptions')]) if (!WORD_RE.test(d)) throw new InvalidParameterError(`invalid DNS search domain or option: "${d}"`);
}

/** Docker fills the top-level address fields for the default bridge only. */
function topLevel(ep: EndpointRecord | undefined): Record<string, unknown> {
  return {
    EndpointID: ep?.endpointId ?? '', Gateway: ep?.gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, IPAddress: ep?.ip ?? '',
    IPPrefixLen: ep?.prefix ?? 0, IPv6Gateway: '', MacAddress: ep?.mac ?? '',
  };
}

/** The host's nameservers as the daemon (in the host's namespace) can reach them, loopback ones included. */
async function hostResolvers(): Promise<string[]> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const servers = text.split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((s): s is string => !!s);
  return servers.length ? servers : ['8.8.8.8'];
}

