// What a create request asks to mount (HostConfig.Binds, HostConfig.Mounts, Config.Volumes), parsed and checked as Docker checks them.
import path from 'node:path';
import { InvalidParameterError, NotFoundError } from '../../errors';
import { validateVolumeName } from '../volumes/volume-service';
import type { HostConfig, MountPoint } from './record';

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

/** A mount before its volume exists: volume mounts carry the name ('' = anonymous) and how to create it. */
export interface MountSpec extends MountPoint {
  /** For a volume created by this request: its labels and local driver options. */
  create?: { labels?: Record<string, string>; driverOpts?: Record<string, string> };
}

/** The body's HostConfig.Mounts entry, as Docker's mount.Mount. */
export interface ApiMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

function checkTarget(type: string, target: string | undefined): string {
  if (!target) throw new InvalidParameterError(`invalid mount config for type "${type}": field Target must not be empty`);
  if (!target.startsWith('/')) throw new InvalidParameterError(`invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
  const dest = path.normalize(target).replace(/(.)\/+$/, '$1');
  if (dest === '/') throw new InvalidParameterError(`invalid specification: destination can't be '/'`);
  return dest;
}

function volumeSpec(name: string, destination: string, rw: boolean, mode: string, copy: boolean): MountSpec {
  if (name) validateVolumeName(name);
  return { Type: 'volume', Name: name, Source: '', Destination: destination, Driver: 'local', Mode: mode, RW: rw, Propagation: '', CopyData: copy };
}

/** One HostConfig.Binds entry: "/host:/ctr[:opts]" (bind), "name:/ctr[:opts]" (volume), "/ctr" (anonymous volume). */
export function parseBind(spec: string): MountSpec {
  if (typeof spec !== 'string') throw new InvalidParameterError(`invalid volume specification: '${String(spec)}'`);
  const parts = spec.split(':');
  if (parts.length === 1 && spec.startsWith('/')) return volumeSpec('', checkTarget('volume', spec), true, '', true);
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw new InvalidParameterError(`invalid volume specification: '${spec}'`);
  const [source, destination, mode = ''] = parts;
  const isBind = source.startsWith('/');
  if (!destination.startsWith('/')) {
    throw new InvalidParameterError(`invalid volume specification: '${spec}': invalid mount config for type "${isBind ? 'bind' : 'volume'}": invalid mount path: '${destination}' mount path must be absolute`);
  }
  let rw = true;
  let propagation = '';
  let copy = true;
  for (const opt of mode.split(',').filter(Boolean)) {
    if (opt === 'ro') rw = false;
    else if (opt === 'rw') rw = true;
    else if (PROPAGATIONS.has(opt) && isBind) propagation = opt;
    else if (opt === 'nocopy' && !isBind) copy = false;
    else if (opt === 'z' || opt === 'Z') { /* SELinux relabelling does not apply here */ }
    else throw new InvalidParameterError(`invalid mode: ${opt}`);
  }
  const dest = checkTarget(isBind ? 'bind' : 'volume', destination);
  if (!isBind) return volumeSpec(source, dest, rw, mode || 'z', copy);
  return { Type: 'bind', Source: path.normalize(source), Destination: dest, Mode: mode, RW: rw, Propagation: propagation || 'rprivate' };
}

/** One HostConfig.Mounts entry (`--mount`); `exists` tells whether a host path exists (bind sources must). */
export function parseApiMount(m: ApiMount, exists: (p: string) => boolean): MountSpec {
  if (typeof m !== 'object' || m === null) throw new InvalidParameterError('invalid mount config: mount must be an object');
  const type = m.Type ?? '';
  const rw = !m.ReadOnly;
  if (type === 'bind') {
    if (m.VolumeOptions) throw new InvalidParameterError(`invalid mount config for type "bind": VolumeOptions must not be specified`);
    if (m.TmpfsOptions) throw new InvalidParameterError(`invalid mount config for type "bind": TmpfsOptions must not be specified`);
    const dest = checkTarget('bind', m.Target);
    if (!m.Source) throw new InvalidParameterError(`invalid mount config for type "bind": field Source must not be empty`);
    if (!m.Source.startsWith('/')) throw new InvalidParameterError(`invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
    if (!exists(m.Source)) throw new InvalidParameterError(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
    const propagation = m.BindOptions?.Propagation || 'rprivate';
    if (!PROPAGATIONS.has(propagation)) throw new InvalidParameterError(`invalid mount config for type "bind": invalid propagation mode: ${propagation}`);
    return { Type: 'bind', Source: path.normalize(m.Source), Destination: dest, Mode: '', RW: rw, Propagation: propagation };
  }
  if (type === 'volume') {
    if (m.BindOptions) throw new InvalidParameterError(`invalid mount config for type "volume": BindOptions must not be specified`);
    if (m.TmpfsOptions) throw new InvalidParameterError(`invalid mount config for type "volume": TmpfsOptions must not be specified`);
    const dest = checkTarget('volume', m.Target);
    const driver = m.VolumeOptions?.DriverConfig?.Name || 'local';
    if (driver !== 'local') throw new NotFoundError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const spec = volumeSpec(m.Source ?? '', dest, rw, 'z', !m.VolumeOptions?.NoCopy);
    const labels = m.VolumeOptions?.Labels ?? undefined;
    const driverOpts = m.VolumeOptions?.DriverConfig?.Options ?? undefined;
    if (labels || driverOpts) spec.create = { labels, driverOpts };
    return spec;
  }
  if (type === 'tmpfs') {
    if (m.Source) throw new InvalidParameterError(`invalid mount config for type "tmpfs": field Source must not be specified`);
    if (m.BindOptions || m.VolumeOptions) throw new InvalidParameterError(`invalid mount config for type "tmpfs": only TmpfsOptions may be specified`);
    const dest = checkTarget('tmpfs', m.Target);
    const size = m.TmpfsOptions?.SizeBytes;
    const mode = m.TmpfsOptions?.Mode;
    if (size !== undefined && !(Number.isInteger(size) && size >= 0)) throw new InvalidParameterError(`invalid mount config for type "tmpfs": invalid size: ${size}`);
    if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)) throw new InvalidParameterError(`invalid mount config for type "tmpfs": invalid mode: ${mode}`);
    return { Type: 'tmpfs', Source: '', Destination: dest, Mode: '', RW: rw, Propagation: '', TmpfsOptions: { SizeBytes: size, Mode: mode } };
  }
  throw new InvalidParameterError(`invalid mount config for type "${type}": mount type unknown`);
}

/** The mounts named explicitly (Binds, then Mounts); two at one destination are a 400. */
export function explicitMounts(hostConfig: HostConfig, exists: (p: string) => boolean): MountSpec[] {
  const binds = hostConfig.Binds ?? [];
  const mounts = hostConfig.Mounts ?? [];
  if (!Array.isArray(binds) || !Array.isArray(mounts)) throw new InvalidParameterError('HostConfig.Binds and HostConfig.Mounts must be arrays');
  const out = [...binds.map(parseBind), ...mounts.map((m) => parseApiMount(m as ApiMount, exists))];
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.Destination)) throw new InvalidParameterError(`Duplicate mount point: ${m.Destination}`);
    seen.add(m.Destination);
  }
  return out;
}

/** "ctr[:ro|:rw]" of HostConfig.VolumesFrom. */
export function parseVolumesFrom(spec: string): { container: string; rw?: boolean } {
  if (typeof spec !== 'string' || !spec) throw new InvalidParameterError(`invalid volumes-from specification: '${String(spec)}'`);
  const [container, mode, ...rest] = spec.split(':');
  if (!container || rest.length || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw new InvalidParameterError(`invalid mode for volumes-from: ${spec}`);
  }
  return { container, rw: mode === undefined ? undefined : mode === 'rw' };
}

/** The image's and `-v /path` volumes (Config.Volumes) not already covered: anonymous volumes. */
export function anonymousVolumes(volumes: Record<string, object> | null | undefined, taken: Set<string>): MountSpec[] {
  const out: MountSpec[] = [];
  for (const dest of Object.keys(volumes ?? {})) {
    const d = checkTarget('volume', dest);
    if (taken.has(d)) continue;
    taken.add(d);
    out.push(volumeSpec('', d, true, '', true));
  }
  return out;
}
