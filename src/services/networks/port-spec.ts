// Published ports as the API sends them (ExposedPorts, PortBindings, PublishAllPorts) → the mappings to program.
import { InvalidParameterError } from '../../errors';

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** One container port to publish; hostPort 0 means "any free port" (within hostPortEnd when a range was asked). */
export interface PortRequest {
  containerPort: number;
  protocol: Protocol;
  hostIp: string;
  hostPort: number;
  hostPortEnd: number;
}

export type PortBindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

function port(s: string, what: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 65535) throw new InvalidParameterError(`invalid ${what}: ${s}`);
  return n;
}

/** "80/tcp" → [80, 'tcp']; the API's port keys carry one port each. */
export function parsePortKey(key: string): { port: number; protocol: Protocol } {
  const [p, proto = 'tcp', ...rest] = key.split('/');
  if (rest.length || !['tcp', 'udp', 'sctp'].includes(proto)) throw new InvalidParameterError(`invalid port specification: "${key}"`);
  return { port: port(p, 'port specification'), protocol: proto as Protocol };
}

function hostRange(spec: string | undefined): [number, number] {
  if (!spec || spec === '0') return [0, 0];
  const [a, b] = spec.split('-');
  const start = port(a, 'hostPort');
  const end = b === undefined ? start : port(b, 'hostPort');
  if (end < start) throw new InvalidParameterError(`invalid hostPort: ${spec}`);
  return [start, end];
}

function hostIp(ip: string | undefined): string {
  if (!ip) return '';
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && ip !== '::') throw new InvalidParameterError(`invalid host IP address: ${ip}`);
  return ip === '::' ? '' : ip;
}

/** Every mapping the container asks for: its PortBindings, plus each other EXPOSEd port with -P. */
export function portRequests(bindings: PortBindings | null | undefined, exposed: Record<string, unknown> | null | undefined, publishAll: boolean): PortRequest[] {
  const out: PortRequest[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port: containerPort, protocol } = parsePortKey(key);
    for (const b of list?.length ? list : [{}]) {
      const [start, end] = hostRange(b.HostPort);
      out.push({ containerPort, protocol, hostIp: hostIp(b.HostIp), hostPort: start, hostPortEnd: end });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      if (bindings?.[key]?.length) continue;
      const { port: containerPort, protocol } = parsePortKey(key);
      out.push({ containerPort, protocol, hostIp: '', hostPort: 0, hostPortEnd: 0 });
    }
  }
  return out;
}

/** A mapping once a host port is chosen. */
export interface PortMapping {
  containerPort: number;
  protocol: Protocol;
  hostIp: string;
  hostPort: number;
}

/** NetworkSettings.Ports: every exposed port, with the bindings that publish it (null when none). */
export function portsView(exposed: Record<string, unknown> | null | undefined, mappings: PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const view: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of Object.keys(exposed ?? {})) view[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const m of mappings) {
    const key = `${m.containerPort}/${m.protocol}`;
    (view[key] ??= []).push({ HostIp: m.hostIp || '0.0.0.0', HostPort: String(m.hostPort) });
  }
  return view;
}

/** The list summary's Ports: one entry per binding, and the exposed ports with no binding. */
export function portsSummary(view: Record<string, Array<{ HostIp: string; HostPort: string }> | null>): object[] {
  const out: object[] = [];
  for (const [key, list] of Object.entries(view)) {
    const [p, type] = key.split('/');
    if (!list) out.push({ PrivatePort: Number(p), Type: type });
    else for (const b of list) out.push({ IP: b.HostIp, PrivatePort: Number(p), PublicPort: Number(b.HostPort), Type: type });
  }
  return out;
}
