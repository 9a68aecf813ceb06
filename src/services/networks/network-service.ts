// Bridge networks: the default one and user-defined ones, their records, bridges, firewall chain and embedded DNS.
import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, ForbiddenError, InvalidParameterError, NotFoundError, NotImplementedError } from '../../errors';
import type { Host } from '../../host';
import type { MetadataStore } from '../../stores/metadata';
import type { EventPublisher } from '../events';
import type { EmbeddedDns } from './dns-server';
import type { Endpoints } from './endpoints';
import type { Firewall } from './firewall';
import { checkHostAddress, defaultGateway, formatCidr, overlaps, parseCidr, pickSubnet, type Subnet } from './ipam';
import { pruneFilter } from './prune-filter';
import { labelMatches } from '../label-filter';
import { networkView, pseudoNetworkView } from './views';
import type { ContainerDirectory, CreateNetworkBody, NetworkRecord, NetworkService } from './index';

const KIND = 'networks';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface NetworkDeps {
  host: Host;
  metadata: MetadataStore;
  events?: EventPublisher;
  firewall: Firewall;
  dns: EmbeddedDns;
  endpoints: Endpoints;
  /** --bridge and --bip of the daemon. */
  bridge: string;
  bip?: string;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}

/** Stable IDs for the pseudo networks, per daemon (Docker's are random but fixed for its lifetime). */
function pseudoId(name: string, salt: string): string {
  return createHash('sha256').update(`${name}:${salt}`).digest('hex');
}

export class LocalNetworkService implements NetworkService {
  readonly networks = new Map<string, NetworkRecord>();
  private containers?: ContainerDirectory;

  constructor(readonly deps: NetworkDeps) {}

  setContainers(dir: ContainerDirectory): void {
    this.containers = dir;
  }

  get directory(): ContainerDirectory {
    if (!this.containers) throw new Error('network service used before the container service was wired');
    return this.containers;
  }

  /** Read the records, make sure the default network and every bridge exist, program the firewall, listen for DNS. */
  async load(): Promise<void> {
    for (const n of await this.deps.metadata.list<NetworkRecord>(KIND)) this.networks.set(n.id, n);
    await this.ensureDefault();
    for (const n of this.networks.values()) {
      // A user network whose bridge cannot come back is reported, not fatal: the daemon and its other networks still start.
      await this.ensureBridge(n).catch((err) => { if (n.builtin) throw err; this.deps.log('warn', `network ${n.name}: ${err.message}`); });
    }
    await this.syncFirewall();
    await this.deps.endpoints.load();
    for (const n of this.networks.values()) if (!n.builtin) await this.listenDns(n);
  }

  get defaultNetwork(): NetworkRecord {
    return [...this.networks.values()].find((n) => n.builtin)!;
  }

  /** Full ID, exact name, or unique ID prefix, as Docker looks networks up. */
  find(idOrName: string): NetworkRecord {
    const exact = this.networks.get(idOrName);
    if (exact) return exact;
    const all = [...this.networks.values()];
    const named = all.find((n) => n.name === idOrName);
    if (named) return named;
    const hits = /^[0-9a-f]+$/.test(idOrName) ? all.filter((n) => n.id.startsWith(idOrName)) : [];
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new InvalidParameterError(`network ${idOrName} is ambiguous (${hits.length} matches found based on ID prefix)`);
    if (idOrName === 'host' || idOrName === 'none') throw new ForbiddenError(`${idOrName} is a pre-defined network and cannot be used this way`);
    throw new NotFoundError(`network ${idOrName} not found`);
  }

  async create(body: CreateNetworkBody): Promise<{ Id: string; Warning: string }> {
    if (typeof body !== 'object' || body === null) throw new InvalidParameterError('network configuration cannot be empty');
    const name = body.Name;
    if (typeof name !== 'string' || !name) throw new InvalidParameterError('network name is required');
    if (!NAME_RE.test(name)) throw new InvalidParameterError(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (['bridge', 'host', 'none', 'default'].includes(name)) throw new ForbiddenError(`${name} is a pre-defined network and cannot be created`);
    const driver = body.Driver || 'bridge';
    if (driver !== 'bridge') throw new NotImplementedError(`network driver "${driver}" is not implemented (only bridge)`);
    if (body.EnableIPv6) throw new NotImplementedError('IPv6 networks are not implemented');
    if ([...this.networks.values()].some((n) => n.name === name)) throw new ConflictError(`network with name ${name} already exists`);
    const configs = body.IPAM?.Config ?? [];
    if (configs.length > 1) throw new NotImplementedError('only one IPAM configuration per network is implemented');
    const want = configs[0] ?? {};
    const taken = await this.takenSubnets();
    let subnet: Subnet;
    if (want.Subnet) {
      if (want.Subnet.includes(':')) throw new NotImplementedError('IPv6 subnets are not implemented');
      subnet = parseCidr(want.Subnet);
      if (subnet.prefix > 30) throw new InvalidParameterError(`subnet ${want.Subnet} is too small`);
      const clash = taken.find((t) => overlaps(t.subnet, subnet));
      if (clash) throw new ConflictError(`invalid pool request: Pool overlaps with other one on this address space (${formatCidr(subnet)} overlaps ${formatCidr(clash.subnet)}${clash.owner ? ` of ${clash.owner}` : ''})`);
    } else {
      if (want.Gateway) throw new InvalidParameterError('a gateway needs a subnet (--subnet)');
      subnet = pickSubnet(taken.map((t) => t.subnet));
    }
    const gateway = want.Gateway || defaultGateway(subnet);
    checkHostAddress(subnet, gateway, 'gateway');
    if (want.IPRange) {
      const r = parseCidr(want.IPRange);
      if (!overlaps(r, subnet) || r.prefix < subnet.prefix) throw new InvalidParameterError(`ip-range ${want.IPRange} is not inside subnet ${formatCidr(subnet)}`);
    }
    const id = randomBytes(32).toString('hex');
    const n: NetworkRecord = {
      id, name, created: new Date().toISOString(), driver: 'bridge', bridge: `br-${id.slice(0, 12)}`, subnet: formatCidr(subnet), gateway,
      ...(want.IPRange ? { ipRange: want.IPRange } : {}), internal: !!body.Internal, attachable: !!body.Attachable,
      labels: { ...(body.Labels ?? {}) }, options: { ...(body.Options ?? {}) }, builtin: false,
    };
    await this.deps.metadata.put(KIND, id, n);
    this.networks.set(id, n);
    try {
      await this.ensureBridge(n);
      await this.syncFirewall();
      await this.listenDns(n);
    } catch (err) {
      await this.destroy(n).catch(() => undefined);
      throw err;
    }
    this.emit(n, 'create');
    return { Id: id, Warning: '' };
  }

  list(filters: Record<string, string[]>): object[] {
    const views: Array<{ view: object; n?: NetworkRecord; name: string; id: string; driver: string }> = [
      ...[...this.networks.values()].map((n) => ({ view: this.view(n), n, name: n.name, id: n.id, driver: n.driver })),
      ...(['host', 'none'] as const).map((p) => ({ view: pseudoNetworkView(p, this.pseudo(p)), name: p, id: this.pseudo(p), driver: p === 'host' ? 'host' : 'null' })),
    ];
    return views.filter((v) => matches(v, filters, (n) => this.activeEndpoints(n).length > 0)).map((v) => v.view);
  }

  inspect(idOrName: string): object {
    if (idOrName === 'host' || idOrName === 'none') return pseudoNetworkView(idOrName, this.pseudo(idOrName));
    const p = (['host', 'none'] as const).find((x) => this.pseudo(x) === idOrName);
    if (p) return pseudoNetworkView(p, idOrName);
    return this.view(this.find(idOrName));
  }

  async remove(idOrName: string): Promise<void> {
    if (idOrName === 'host' || idOrName === 'none') throw new ForbiddenError(`${idOrName} is a pre-defined network and cannot be removed`);
    const n = this.find(idOrName);
    if (n.builtin) throw new ForbiddenError(`bridge is a pre-defined network and cannot be removed`);
    if (this.activeEndpoints(n).length) throw new ForbiddenError(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    await this.destroy(n);
    this.emit(n, 'destroy');
  }

  /** As Docker: user networks with no running container's endpoint go (stopped containers keep only their settings). */
  async prune(filters: Record<string, string[]>): Promise<{ NetworksDeleted: string[] }> {
    const wanted = pruneFilter(filters);
    const deleted: string[] = [];
    for (const n of [...this.networks.values()]) {
      if (n.builtin || !wanted(n) || this.activeEndpoints(n).length) continue;
      await this.destroy(n);
      this.emit(n, 'destroy');
      deleted.push(n.name);
    }
    this.deps.events?.publish('network', 'prune', '', { reclaimed: '0' });
    return { NetworksDeleted: deleted };
  }

  /** Running containers with an endpoint on `n` (Docker's "in use" for prune and the dangling filter). */
  activeEndpoints(n: NetworkRecord): string[] {
    return [...this.deps.endpoints.sandboxes.values()].filter((sb) => sb.endpoints[n.id]).map((sb) => sb.containerId);
  }

  view(n: NetworkRecord): object {
    const containers: Record<string, object> = {};
    for (const sb of this.deps.endpoints.sandboxes.values()) {
      const ep = sb.endpoints[n.id];
      if (!ep) continue;
      let name = '';
      try { name = this.directory.get(sb.containerId).name.slice(1); } catch { /* removed meanwhile */ }
      containers[sb.containerId] = { Name: name, EndpointID: ep.endpointId, MacAddress: ep.mac, IPv4Address: ep.ip ? `${ep.ip}/${ep.prefix}` : '', IPv6Address: '' };
    }
    return networkView(n, containers);
  }

  emit(n: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    this.deps.events?.publish('network', action, n.id, { name: n.name, type: n.driver, ...extra });
  }

  private pseudo(name: string): string {
    return pseudoId(name, this.defaultNetwork.id);
  }

  private async destroy(n: NetworkRecord): Promise<void> {
    this.deps.dns.close(n.gateway);
    this.networks.delete(n.id);
    await this.deps.metadata.delete(KIND, n.id);
    await this.syncFirewall();
    await this.deps.host.run('ip', ['link', 'del', n.bridge], { allowFailure: true });
    await this.deps.endpoints.forgetNetwork(n);
  }

  /** The default network on --bridge/--bip; a /16 clashing with no host route when --bip is not given. */
  private async ensureDefault(): Promise<void> {
    const existing = [...this.networks.values()].find((n) => n.builtin);
    let subnet: string;
    let gateway: string;
    if (this.deps.bip) {
      const bip = parseCidr(this.deps.bip, true);
      subnet = formatCidr(bip);
      gateway = bip.address === bip.base ? defaultGateway(bip) : this.deps.bip.split('/')[0];
    } else if (existing && existing.bridge === this.deps.bridge) {
      ({ subnet, gateway } = existing);
    } else {
      const s = pickSubnet((await this.takenSubnets()).map((t) => t.subnet));
      subnet = formatCidr(s);
      gateway = defaultGateway(s);
    }
    const n: NetworkRecord = existing ?? {
      id: randomBytes(32).toString('hex'), name: 'bridge', created: new Date().toISOString(), driver: 'bridge', bridge: this.deps.bridge,
      subnet, gateway, internal: false, attachable: false, labels: {}, builtin: true, options: {},
    };
    if (existing && (existing.bridge !== this.deps.bridge || existing.subnet !== subnet)) {
      await this.deps.host.run('ip', ['link', 'del', existing.bridge], { allowFailure: true });
    }
    Object.assign(n, {
      bridge: this.deps.bridge, subnet, gateway,
      options: {
        'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.name': this.deps.bridge,
        'com.docker.network.driver.mtu': '1500',
      },
    });
    this.networks.set(n.id, n);
    await this.deps.metadata.put(KIND, n.id, n);
  }

  /** Create the Linux bridge with the gateway address up front, so DNS can listen before the first container joins. */
  private async ensureBridge(n: NetworkRecord): Promise<void> {
    const prefix = n.subnet.split('/')[1];
    const script = [`link add name ${n.bridge} type bridge`, `addr add ${n.gateway}/${prefix} dev ${n.bridge}`, `link set ${n.bridge} up`].join('\n');
    await this.deps.host.run('ip', ['-force', '-batch', '-'], { input: script + '\n', allowFailure: true });
    const check = await this.deps.host.run('ip', ['-4', '-o', 'addr', 'show', 'dev', n.bridge], { allowFailure: true });
    if (!check.stdout.includes(` ${n.gateway}/`)) throw new ConflictError(`could not set up bridge ${n.bridge} with ${n.gateway}/${prefix}: ${check.stderr.trim()}`);
    // Published ports DNAT 127.0.0.1 into the bridge (port-nat.ts); the raw chain keeps containers off the host's 127/8.
    await this.deps.host.run('sysctl', ['-qw', `net/ipv4/conf/${n.bridge}/route_localnet=1`]);
  }

  private async syncFirewall(): Promise<void> {
    await this.deps.firewall.sync([...this.networks.values()].map((n) => ({ bridge: n.bridge, subnet: n.subnet, internal: n.internal })));
  }

  private async listenDns(n: NetworkRecord): Promise<void> {
    await this.deps.dns.listen(n.gateway).catch((err) => this.deps.log('warn', `embedded DNS on ${n.gateway} (${n.name}): ${err.message}`));
  }

  /** Our networks' subnets and the host's routes (except those on our own bridges). */
  private async takenSubnets(): Promise<Array<{ subnet: Subnet; owner: string }>> {
    const ours = [...this.networks.values()];
    const out = ours.map((n) => ({ subnet: parseCidr(n.subnet), owner: `network ${n.name}` }));
    const routes = await this.deps.host.run('ip', ['-4', '-o', 'route', 'show'], { allowFailure: true });
    for (const line of routes.stdout.split('\n')) {
      const [dst, ...rest] = line.trim().split(/\s+/);
      if (!dst || dst === 'default') continue;
      const dev = rest[rest.indexOf('dev') + 1];
      if (ours.some((n) => n.bridge === dev)) continue;
      try {
        out.push({ subnet: parseCidr(dst.includes('/') ? dst : `${dst}/32`, true), owner: `a host route on ${dev}` });
      } catch { /* not an IPv4 destination */ }
    }
    return out;
  }
}

type Listed = { n?: NetworkRecord; name: string; id: string; driver: string };

/** Docker's network filters: name (substring), id (prefix), driver, label, type (builtin/custom), dangling (no running container). */
function matches(v: Listed, filters: Record<string, string[]>, inUse: (n: NetworkRecord) => boolean): boolean {
  for (const [key, values] of Object.entries(filters)) {
    if (!values.length) continue;
    const test = (want: string): boolean => {
      switch (key) {
        case 'name': return v.name.includes(want);
        case 'id': return v.id.startsWith(want);
        case 'driver': return v.driver === want;
        case 'type': return want === 'custom' ? !!v.n && !v.n.builtin : want === 'builtin' ? !v.n || v.n.builtin : false;
        case 'label': return labelMatches(v.n?.labels ?? {}, want);
        case 'dangling': return v.n ? !v.n.builtin && !inUse(v.n) === (want === 'true' || want === '1') : false;
        case 'scope': return want === 'local';
        default: throw new InvalidParameterError(`invalid filter '${key}'`);
      }
    };
    // As Docker: any one value of a key matches, except labels, which must all match.
    if (!(key === 'label' ? values.every(test) : values.some(test))) return false;
  }
  return true;
}
