// `ps` filters that depend on networking: network=<name|id>, publish=<port[-end]>[/proto], expose=<port[-end]>[/proto].
import { InvalidParameterError } from '../../errors';
import type { ContainerRecord } from '../containers/record';

function portFilter(spec: string, what: string): (key: string) => boolean {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(spec);
  if (!m) throw new InvalidParameterError(`invalid filter '${what}=${spec}'`);
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  return (key) => {
    const [p, proto = 'tcp'] = key.split('/');
    return Number(p) >= start && Number(p) <= end && (!m[3] || m[3] === proto);
  };
}

/** Whether `r` passes the network, publish and expose filters given (absent filters pass). */
export function networkFiltersMatch(r: ContainerRecord, f: Record<string, string[]>): boolean {
  if (f.network?.length) {
    const endpoints = Object.entries((r.networkSettings.Networks ?? {}) as Record<string, { NetworkID?: string }>);
    if (!f.network.some((want) => endpoints.some(([name, e]) => name === want || (!!e.NetworkID && e.NetworkID.startsWith(want))))) return false;
  }
  if (f.publish?.length) {
    const published = Object.entries((r.networkSettings.Ports ?? {}) as Record<string, unknown[] | null>).filter(([, b]) => b?.length).map(([k]) => k);
    if (!f.publish.every((spec) => published.some(portFilter(spec, 'publish')))) return false;
  }
  if (f.expose?.length) {
    const exposed = Object.keys(r.config.ExposedPorts ?? {});
    if (!f.expose.every((spec) => exposed.some(portFilter(spec, 'expose')))) return false;
  }
  return true;
}
