// Wires the network service's parts for berthd: CNI, netns files, host ports, firewall chain, embedded DNS.
import path from 'node:path';
import type { Host } from '../../host';
import type { MetadataStore } from '../../stores/metadata';
import type { EventPublisher } from '../events';
import { BridgeAttacher } from './attacher';
import { CniExec } from './cni';
import { EmbeddedDns } from './dns-server';
import { Endpoints } from './endpoints';
import { Firewall } from './firewall';
import { HostPorts } from './host-ports';
import { NetnsFiles } from './netns';
import { PortNat } from './port-nat';
import { SockRedirect } from './sock-redirect';
import { LocalNetworkService } from './network-service';

export interface BridgeNetworking {
  service: LocalNetworkService;
  attacher: BridgeAttacher;
  /** Started before service.load() (it re-adopts published ports into the redirect), stopped at shutdown. */
  redirect: SockRedirect;
}

export function bridgeNetworking(opts: {
  host: Host; metadata: MetadataStore; events?: EventPublisher; dataRoot: string; execRoot: string; bridge: string; bip?: string;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}): BridgeNetworking {
  const warn = (msg: string) => opts.log('warn', msg);
  const redirect = new SockRedirect(opts.host, { execRoot: opts.execRoot, bridge: opts.bridge, log: opts.log });
  const portNat = new PortNat(opts.host, `${firewallChain(opts.bridge)}-DNAT`, redirect);
  const endpoints = new Endpoints(new CniExec(opts.host), new NetnsFiles(opts.host, path.join(opts.execRoot, 'netns')), new HostPorts(), portNat, opts.metadata, opts.dataRoot, warn);
  let attacher: BridgeAttacher | undefined;
  const dns = new EmbeddedDns((ip, name) => attacher!.lookup(ip, name), warn);
  const service = new LocalNetworkService({
    host: opts.host, metadata: opts.metadata, events: opts.events, firewall: new Firewall(opts.host, firewallChain(opts.bridge)), dns, endpoints,
    bridge: opts.bridge, bip: opts.bip, log: opts.log,
  });
  attacher = new BridgeAttacher(service, endpoints);
  return { service, attacher, redirect };
}

/** The daemon's filter chain, named after its default bridge so two daemons never share one. */
export function firewallChain(bridge: string): string {
  return `BERTH-${bridge}`;
}
