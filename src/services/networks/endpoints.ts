// Containers' sandboxes (a netns file) and their endpoints on bridge networks: CNI ADD/DEL, persisted for teardown.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { MetadataStore } from '../../stores/metadata';
import type { CniExec, CniPluginConf, CniTarget } from './cni';
import type { HostPorts } from './host-ports';
import type { NetnsFiles } from './netns';
import type { PortNat } from './port-nat';
import type { PortMapping, PortRequest } from './port-spec';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './index';

const KIND = 'sandboxes';

export interface JoinOptions {
  ip?: string;
  mac?: string;
  aliases: string[];
  /** The container's first network: it gets the default route and the published ports. */
  primary: boolean;
  ports: PortRequest[];
}

export class Endpoints {
  readonly sandboxes = new Map<string, SandboxRecord>();

  constructor(
    private readonly cni: CniExec,
    private readonly netns: NetnsFiles,
    private readonly ports: HostPorts,
    private readonly portNat: PortNat,
    private readonly metadata: MetadataStore,
    private readonly dataRoot: string,
    private readonly log: (msg: string) => void,
  ) {}

  /** Read the sandboxes left by the previous run, hold their published ports again and program exactly their NAT. */
  async load(): Promise<void> {
    for (const sb of await this.metadata.list<SandboxRecord>(KIND)) {
      this.sandboxes.set(sb.containerId, sb);
      for (const ep of Object.values(sb.endpoints)) {
        await this.ports.readopt(sb.containerId, ep.ports, this.log);
        if (ep.portNat && ep.ip) this.portNat.adopt(sb.containerId, { ip: ep.ip, ports: ep.ports });
      }
    }
    await this.portNat.sync();
    // A crash between unshare and the first record leaves a pinned netns nobody knows: unpin it.
    for (const id of await this.netns.list()) if (!this.sandboxes.has(id)) await this.netns.remove(id);
  }

  /** A new netns with lo up. */
  async createSandbox(containerId: string, upstreams: string[]): Promise<SandboxRecord> {
    const netns = await this.netns.create(containerId);
    const sb: SandboxRecord = { containerId, netns, endpoints: {}, upstreams };
    this.sandboxes.set(containerId, sb);
    return sb; // persisted by the first join, before its ADD
  }

  async loopbackUp(sb: SandboxRecord): Promise<void> {
    await this.cni.add('loopback', [{ type: 'loopback' }], { containerId: sb.containerId, netns: sb.netns, ifname: 'lo' });
  }

  /** ADD the container to `net`: a veth on its bridge, an address, NAT; published ports when primary. */
  async join(sb: SandboxRecord, net: NetworkRecord, opts: JoinOptions): Promise<EndpointRecord> {
    const used = new Set(Object.values(sb.endpoints).map((e) => e.ifname));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const ifname = `eth${n}`;
    const mappings = opts.primary ? await this.ports.reserve(sb.containerId, opts.ports) : [];
    const ep: EndpointRecord = {
      networkId: net.id, endpointId: randomBytes(32).toString('hex'), ifname, ip: '', prefix: 0, gateway: net.gateway,
      mac: '', aliases: opts.aliases, cni: {}, ports: mappings, portNat: true,
    };
    const target = this.target(sb, ep, opts);
    // Record the endpoint before ADD: a crash in between still leaves something for teardown to DEL.
    sb.endpoints[net.id] = ep;
    await this.save(sb);
    try {
      const result = await this.cni.add(cniName(net), this.plugins(net, opts.primary), target);
      const ip = result.ips?.find((i) => !i.address.includes(':'));
      if (!ip) throw new Error(`CNI gave no IPv4 address on ${net.name}`);
      const [addr, prefix] = ip.address.split('/');
      const iface = result.interfaces?.find((i) => i.name === ifname && i.sandbox);
      Object.assign(ep, { ip: addr, prefix: Number(prefix), mac: iface?.mac ?? '', cni: result });
      await this.save(sb);
      if (mappings.length) await this.portNat.publish(sb.containerId, { ip: addr, ports: mappings });
      return ep;
    } catch (err) {
      await this.leave(sb, net).catch(() => undefined);
      throw err;
    }
  }

  /** DEL the container from `net` (or from a network that is gone: the record alone is enough). */
  async leave(sb: SandboxRecord, net: NetworkRecord | undefined, networkId = net?.id, persist = true): Promise<void> {
    const ep = networkId ? sb.endpoints[networkId] : undefined;
    if (!ep) return;
    const conf = net ?? fallbackNetwork(ep);
    if (ep.ports.length && ep.portNat) {
      await this.portNat.unpublish(sb.containerId).catch((err) => this.log(`unpublishing ports of ${sb.containerId.slice(0, 12)}: ${err.message}`));
    }
    await this.cni.del(cniName(conf), this.plugins(conf, ep.ports.length > 0, ep.portNat ? [] : ep.ports), this.target(sb, ep), ep.cni)
      .catch((err) => this.log(`network teardown of ${sb.containerId.slice(0, 12)}: ${err.message}`));
    if (ep.ports.length) this.ports.release(sb.containerId);
    delete sb.endpoints[ep.networkId];
    if (persist) await this.save(sb);
  }

  /** Leave every network, drop the netns and the record. Safe twice. */
  async destroy(containerId: string, networkOf: (id: string) => NetworkRecord | undefined): Promise<void> {
    const sb = this.sandboxes.get(containerId);
    if (!sb) return;
    await Promise.all(Object.keys(sb.endpoints).map((id) => this.leave(sb, networkOf(id), id, false)));
    this.ports.release(containerId);
    await this.netns.remove(containerId);
    this.sandboxes.delete(containerId);
    await this.metadata.delete(KIND, containerId);
  }

  /** Drop host-local's state for a removed network. */
  async forgetNetwork(net: NetworkRecord): Promise<void> {
    await rm(this.ipamDir(net), { recursive: true, force: true });
  }

  private ipamDir(net: NetworkRecord): string {
    return path.join(this.dataRoot, 'cni', 'ipam', cniName(net));
  }

  private target(sb: SandboxRecord, ep: EndpointRecord, opts?: { ip?: string; mac?: string }): CniTarget {
    const args = ['IgnoreUnknown=1', ...(opts?.ip ? [`IP=${opts.ip}`] : []), ...(opts?.mac ? [`MAC=${opts.mac}`] : [])];
    return { containerId: sb.containerId, netns: sb.netns, ifname: ep.ifname, args: args.join(';') };
  }

  /** `legacyPorts`: ports of a record made when the portmap plugin published them, for its DEL. */
  private plugins(net: NetworkRecord, primary: boolean, legacyPorts: PortMapping[] = []): CniPluginConf[] {
    const range: Record<string, string> = { subnet: net.subnet, gateway: net.gateway };
    const bridge: CniPluginConf = {
      // Outbound NAT is one rule per network in the daemon's own chain (firewall.ts), not a chain per container.
      type: 'bridge', bridge: net.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
      ipam: {
        type: 'host-local', dataDir: path.join(this.dataRoot, 'cni', 'ipam'), ranges: [[range]],
        routes: primary && !net.internal ? [{ dst: '0.0.0.0/0' }] : [],
      },
    };
    if (!legacyPorts.length) return [bridge];
    const portMappings = legacyPorts.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, ...(p.hostIp ? { hostIP: p.hostIp } : {}) }));
    return [bridge, { type: 'portmap', capabilities: { portMappings: true }, runtimeConfig: { portMappings }, snat: true }];
  }

  private save(sb: SandboxRecord): Promise<void> {
    return this.metadata.put(KIND, sb.containerId, sb);
  }
}

/** The CNI network name: per network, so host-local's allocations and the plugins' chains never mix networks. */
export function cniName(net: Pick<NetworkRecord, 'id'>): string {
  return `berth-${net.id.slice(0, 12)}`;
}

/** Enough of a removed network to DEL an endpoint that outlived it. */
function fallbackNetwork(ep: EndpointRecord): NetworkRecord {
  return {
    id: ep.networkId, name: ep.networkId, created: '', driver: 'bridge', bridge: `br-${ep.networkId.slice(0, 12)}`, subnet: `${ep.ip}/${ep.prefix}`,
    gateway: ep.gateway, internal: false, attachable: false, labels: {}, options: {}, builtin: false,
  };
}
