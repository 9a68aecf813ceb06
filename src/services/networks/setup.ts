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
import { LocalNetworkService } from './network-service';

export interface BridgeNetworking {
  service: LocalNetworkService;
  attacher: BridgeAttacher;
}

export function bridgeNetworking(opts: {
  host: Host; metadata: MetadataStore; events?: EventPublisher; dataRoot: string; execRoot: string; bridge: string; bip?: string;
  log: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
}): BridgeNetworking {
  const warn = (msg: string) => opts.log('warn', msg);
  const endpoints = new Endpoints(new CniExec(opts.host), new NetnsFiles(opts.host, path.join(opts.execRoot, 'netns')), new HostPorts(), new PortNat(opts.host, `${firewallChain(opts.bridge)}-DNAT`), opts.metadata, opts.dataRoot, warn);
  let attacher: BridgeAttacher | undefined;
  const dns = new EmbeddedDns((ip, name) => attacher!.lookup(ip, name), warn);
  const service = new LocalNetworkService({
    host: opts.host, metadata: opts.metadata, events: opts.events, firewall: new Firewall(opts.host, firewallChain(opts.bridge)), dns, endpoints,
    bridge: opts.bridge, bip: opts.bip, log: opts.log,
  });
  attacher = new BridgeAttacher(service, endpoints);
  return { service, attacher };
}

/** The daemon's filter chain, named after its default bridge so two daemons never share one. */
export function firewallChain(bridge: string): string {
  return `BERTH-${bridge}`;
}
