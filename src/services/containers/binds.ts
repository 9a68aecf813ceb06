// Bind mounts from HostConfig.Binds ("/host:/ctr:ro") and HostConfig.Mounts (type=bind), checked as Docker checks them.
import path from 'node:path';
import { InvalidParameterError, NotImplementedError } from '../../errors';
import type { HostConfig, MountPoint } from './record';

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

function parseBind(spec: string): MountPoint {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw new InvalidParameterError(`invalid volume specification: '${spec}'`);
  const [source, destination, mode = ''] = parts;
  if (!source.startsWith('/')) {
    throw new NotImplementedError(`named volumes are not implemented yet: '${spec}'`);
  }
  if (!destination.startsWith('/')) {
    throw new InvalidParameterError(`invalid volume specification: '${spec}': invalid mount config for type "bind": invalid mount path: '${destination}' mount path must be absolute`);
  }
  let rw = true;
  let propagation = 'rprivate';
  for (const opt of mode.split(',').filter(Boolean)) {
    if (opt === 'ro') rw = false;
    else if (opt === 'rw') rw = true;
    else if (PROPAGATIONS.has(opt)) propagation = opt;
    else if (opt === 'z' || opt === 'Z' || opt === 'nocopy') { /* SELinux labels and copy hints do not apply here */ }
    else throw new InvalidParameterError(`invalid mode: ${opt}`);
  }
  return { Type: 'bind', Source: path.normalize(source), Destination: path.normalize(destination), Mode: mode, RW: rw, Propagation: propagation };
}

/** All mounts a create request asks for; `exists` tells whether a host path exists (--mount refuses missing sources). */
export function parseMounts(hostConfig: HostConfig, exists: (p: string) => boolean): MountPoint[] {
  const out: MountPoint[] = [];
  for (const b of hostConfig.Binds ?? []) out.push(parseBind(b));
  for (const m of hostConfig.Mounts ?? []) {
    if (m.Type !== 'bind') throw new NotImplementedError(`mount type "${m.Type}" is not implemented yet`);
    if (!m.Source || !m.Source.startsWith('/')) throw new InvalidParameterError(`invalid mount config for type "bind": invalid mount path: '${m.Source ?? ''}' mount path must be absolute`);
    if (!m.Target || !m.Target.startsWith('/')) throw new InvalidParameterError(`invalid mount config for type "bind": invalid mount path: '${m.Target ?? ''}' mount path must be absolute`);
    if (!exists(m.Source)) throw new InvalidParameterError(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
    out.push({ Type: 'bind', Source: path.normalize(m.Source), Destination: path.normalize(m.Target), Mode: '', RW: !m.ReadOnly, Propagation: 'rprivate' });
  }
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.Destination)) throw new InvalidParameterError(`Duplicate mount point: ${m.Destination}`);
    seen.add(m.Destination);
  }
  return out;
}
