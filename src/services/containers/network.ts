// A container's network mode: which modes exist, and the sandbox each one gives the runtime.
import { NotImplementedError } from '../../errors';
import type { ContainerRecord, HostConfig } from './record';

export interface NetworkSandbox {
  mode: 'none' | 'host' | 'path';
  netnsPath?: string;
  /** The container's address on its network, for /etc/hosts. */
  ip?: string;
  /** The container's /etc/resolv.conf when its network decides it (user networks point at the embedded DNS). */
  resolvConf?: string;
  /** Extra /etc/hosts lines (--add-host). */
  extraHosts?: string[];
}

/** Network backends the container service can ask for a sandbox (the bridge lives in services/networks). */
export interface NetworkAttacher {
  /** Join `record` to its network; returns the sandbox and fills record.networkSettings. */
  attach(record: ContainerRecord): Promise<NetworkSandbox>;
  /** Undo attach; safe to call twice and after a daemon restart. */
  detach(record: ContainerRecord): Promise<void>;
  /** At create: validate the network settings and return the initial NetworkSettings. */
  prepare?(hc: HostConfig, networkingConfig: unknown, config: { ExposedPorts?: Record<string, object> | null; MacAddress?: unknown }): Record<string, unknown>;
}

/** The modes this daemon can run; others fail at create with NotImplemented. */
export function validateNetworkMode(hc: HostConfig, bridgeAvailable = false): void {
  const mode = hc.NetworkMode || 'default';
  if (mode === 'none' || mode === 'host') return;
  if (bridgeAvailable) return; // the bridge attacher checks the rest in prepare()
  throw new NotImplementedError(`network mode "${mode}" is not implemented yet (use --network none or --network host)`);
}

export function noneSettings(): Record<string, unknown> {
  return {
    Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
    Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: '',
    EndpointID: '', SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
  };
}

function endpoint(networkId: string): Record<string, unknown> {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', NetworkID: networkId, EndpointID: '', Gateway: '',
    IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: null,
  };
}

/** none and host need no plumbing: runc makes a fresh netns (with lo up) or shares the host's. */
export class BuiltinNetworks implements NetworkAttacher {
  constructor(private readonly bridge?: NetworkAttacher) {}

  async attach(record: ContainerRecord): Promise<NetworkSandbox> {
    const mode = record.hostConfig.NetworkMode || 'default';
    if (mode === 'none' || mode === 'host') {
      record.networkSettings = { ...noneSettings(), Networks: { [mode]: endpoint(mode) } };
      return { mode: mode === 'none' ? 'none' : 'host' };
    }
    if (this.bridge) return this.bridge.attach(record);
    throw new NotImplementedError(`network mode "${mode}" is not implemented yet`);
  }

  async detach(record: ContainerRecord): Promise<void> {
    const mode = record.hostConfig.NetworkMode || 'default';
    if (mode !== 'none' && mode !== 'host' && this.bridge) await this.bridge.detach(record);
  }

  prepare(hc: HostConfig, networkingConfig: unknown, config: { ExposedPorts?: Record<string, object> | null; MacAddress?: unknown }): Record<string, unknown> {
    return this.bridge?.prepare?.(hc, networkingConfig, config) ?? {};
  }

  get bridgeAvailable(): boolean {
    return !!this.bridge;
  }
}
