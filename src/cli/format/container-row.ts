// The `ps` row as docker's ContainerContext shows it: truncated IDs, quoted command, ports, names.
import { ago, humanSize } from '../../units/human';
import { goTimeString } from './go-time';
import { ellipsis, goQuote, shortId } from './formatter';

export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Ports?: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  Mounts?: { Name?: string; Source?: string; Type?: string }[];
  NetworkSettings?: { Networks?: Record<string, unknown> };
}

export const PS_LABELS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
  Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS',
  Label: 'LABEL', Mounts: 'MOUNTS', Networks: 'NETWORKS', LocalVolumes: 'LOCAL VOLUMES', Platform: 'PLATFORM',
};

export const PS_DEFAULT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** docker's DisplayablePorts, without range grouping: "0.0.0.0:8080->80/tcp, 443/tcp". */
export function displayPorts(ports: ContainerSummary['Ports']): string {
  if (!ports) return '';
  const seen = new Set<string>();
  const out: string[] = [];
  const sorted = [...ports].sort((a, b) => (a.PrivatePort - b.PrivatePort) || a.Type.localeCompare(b.Type) || (a.IP ?? '').localeCompare(b.IP ?? ''));
  for (const p of sorted) {
    let s: string;
    if (p.IP !== undefined && p.IP !== '' && p.PublicPort) {
      const ip = p.IP.includes(':') ? `[${p.IP}]` : p.IP;
      s = `${ip}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`;
    } else s = `${p.PrivatePort}/${p.Type}`;
    if (!seen.has(s)) { seen.add(s); out.push(s); }
  }
  return out.join(', ');
}

function joinLabels(labels: Record<string, string> | null | undefined): string {
  if (!labels) return '';
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/** One container for --format; methods are the template's fields. */
export class ContainerRow {
  static readonly goType = '*formatter.ContainerContext';
  constructor(private readonly c: ContainerSummary, private readonly trunc: boolean, private readonly now = Date.now()) {}

  ID(): string { return this.trunc ? shortId(this.c.Id) : this.c.Id; }
  Names(): string {
    const names = (this.c.Names ?? []).map((n) => n.replace(/^\//, '')).filter((n) => !this.trunc || !n.includes('/'));
    return names.join(',');
  }
  Image(): string {
    const image = this.c.Image ?? '';
    if (!image) return '<no image>';
    if (!this.trunc) return image;
    if (/^(sha256:)?[0-9a-f]{64}$/.test(image)) return shortId(image);
    return image.replace(/@sha256:[0-9a-f]{64}$/, '');
  }
  Command(): string {
    const cmd = this.c.Command ?? '';
    return goQuote(this.trunc ? ellipsis(cmd, 20) : cmd);
  }
  CreatedAt(): string { return goTimeString(this.c.Created ?? 0); }
  RunningFor(): string { return ago(this.c.Created ?? 0, this.now); }
  Ports(): string { return displayPorts(this.c.Ports); }
  State(): string { return this.c.State ?? ''; }
  Status(): string { return this.c.Status ?? ''; }
  Size(): string {
    const rw = humanSize(this.c.SizeRw ?? 0);
    return this.c.SizeRootFs ? `${rw} (virtual ${humanSize(this.c.SizeRootFs)})` : rw;
  }
  Labels(): string { return joinLabels(this.c.Labels); }
  Label(name: unknown): string { return this.c.Labels?.[String(name)] ?? ''; }
  Mounts(): string {
    return (this.c.Mounts ?? []).map((m) => {
      const name = m.Name || m.Source || '';
      return this.trunc ? ellipsis(name, 15) : name;
    }).join(',');
  }
  LocalVolumes(): string { return String((this.c.Mounts ?? []).filter((m) => m.Type === 'volume').length); }
  Networks(): string { return Object.keys(this.c.NetworkSettings?.Networks ?? {}).sort().join(','); }
  Platform(): string { return ''; }

  /** `{{json .}}`: every field as a string, keys sorted, as docker marshals its context. */
  toJSON(): Record<string, string | null> {
    const keys = ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Platform', 'Ports', 'RunningFor', 'Size', 'State', 'Status'];
    const out: Record<string, string | null> = {};
    for (const k of keys) out[k] = k === 'Platform' ? null : (this as unknown as Record<string, () => string>)[k]();
    return out;
  }
}
