// Docker-shaped JSON for networks (inspect, list) and for a container's endpoint in NetworkSettings.
import type { EndpointRecord, EndpointSettings, NetworkRecord } from './index';

export function networkView(n: NetworkRecord, containers: Record<string, object> = {}): object {
  return {
    Name: n.name, Id: n.id, Created: n.created, Scope: 'local', Driver: n.driver, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: n.subnet, Gateway: n.gateway, ...(n.ipRange ? { IPRange: n.ipRange } : {}) }] },
    Internal: n.internal, Attachable: n.attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: containers, Options: n.options, Labels: n.labels,
  };
}

/** `host` and `none` are listed as Docker lists them; they have no record. */
export function pseudoNetworkView(name: 'host' | 'none', id: string): object {
  return {
    Name: name, Id: id, Created: '0001-01-01T00:00:00Z', Scope: 'local', Driver: name === 'host' ? 'host' : 'null', EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: null }, Internal: false, Attachable: false, Ingress: false,
    ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
  };
}

/** NetworkSettings.Networks[name]: the requested settings, plus the live endpoint while running. */
export function endpointView(networkId: string, settings: EndpointSettings, ep?: EndpointRecord, dnsNames: string[] | null = null): Record<string, unknown> {
  return {
    IPAMConfig: settings.IPAMConfig ?? null, Links: null, Aliases: settings.Aliases?.length ? settings.Aliases : null,
    MacAddress: ep?.mac ?? settings.MacAddress ?? '', DriverOpts: null, NetworkID: networkId, EndpointID: ep?.endpointId ?? '',
    Gateway: ep?.gateway ?? '', IPAddress: ep?.ip ?? '', IPPrefixLen: ep?.prefix ?? 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: ep ? dnsNames : null,
  };
}
