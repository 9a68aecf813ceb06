// The network service's contract: bridge networks (CNI), endpoints of containers on them, published ports, names.
//
// Vocabulary: a *network* is a Linux bridge with a subnet (the default one on --bridge/--bip, user ones on
// br-<id12>); a *sandbox* is a running container's network namespace, pinned as a file under
// <exec-root>/netns (never /run/netns); an *endpoint* is the sandbox's veth on one network, made by CNI ADD
// (bridge + host-local) and undone by DEL; published ports (first network only) are DNAT rules in the daemon's
// BERTH-<bridge>-DNAT chain, which exists only while something is published, and, for clients in the daemon's own
// network namespace, entries in its socket-redirect BPF maps (sock-redirect.ts, pinned under <exec-root>/bpf).
// Invariants: every sandbox is recorded (metadata kind "sandboxes") before its first ADD, so a crash can
// always be torn down at the next start; everything global is named per daemon (bridges, the
// BERTH-<bridge> filter, nat and raw chains, CNI network names berth-<id12>); host ports are held open by the
// daemon while published, and traffic to them is kernel NAT, not a proxy.
import type { ContainerRecord } from '../containers/record';
import type { CniResult } from './cni';
import type { PortMapping } from './port-spec';

/** A network as berth persists it. The default `bridge` network is one too (builtin). */
export interface NetworkRecord {
  id: string;
  name: string;
  created: string;
  driver: 'bridge';
  /** The Linux bridge behind it: --bridge for the default one, br-<id12> for the others. */
  bridge: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** The daemon's default network: no name resolution, cannot be removed. */
  builtin: boolean;
}

/** One container's interface on one network. */
export interface EndpointRecord {
  networkId: string;
  endpointId: string;
  ifname: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  aliases: string[];
  /** The last CNI result, handed back to DEL. */
  cni: CniResult;
  /** Published ports are programmed on the container's first network only. */
  ports: PortMapping[];
  /** True when the ports are berth's own NAT rules (port-nat.ts); older records used the CNI portmap plugin. */
  portNat?: boolean;
}

/** A running container's network namespace and its endpoints, persisted so teardown works after a restart or crash. */
export interface SandboxRecord {
  containerId: string;
  netns: string;
  endpoints: Record<string, EndpointRecord>;
  /** Upstream resolvers for names the embedded DNS does not know (--dns, else the host's). */
  upstreams: string[];
}

/** What the network service needs from the container service (narrow, to avoid a cycle of services). */
export interface ContainerDirectory {
  /** Full ID, name or unique prefix; throws NotFoundError. */
  get(idOrName: string): ContainerRecord;
  all(): ContainerRecord[];
  save(r: ContainerRecord): Promise<void>;
}

export interface CreateNetworkBody {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: Array<{ Subnet?: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: unknown }> | null; Options?: Record<string, string> | null };
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  ConfigOnly?: boolean;
  ConfigFrom?: unknown;
  Scope?: string;
}

export interface EndpointSettings {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  [key: string]: unknown;
}

export interface NetworkService {
  create(body: CreateNetworkBody): Promise<{ Id: string; Warning: string }>;
  list(filters: Record<string, string[]>): object[];
  inspect(idOrName: string): object;
  remove(idOrName: string): Promise<void>;
  prune(filters: Record<string, string[]>): Promise<{ NetworksDeleted: string[] }>;
}

/** Joining and leaving networks for containers, running or not. */
export interface NetworkConnector {
  connect(idOrName: string, container: string, settings: EndpointSettings): Promise<void>;
  disconnect(idOrName: string, container: string, force: boolean): Promise<void>;
}
