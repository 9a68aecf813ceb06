// The `local` driver's options (type, device, o): which are accepted, and the mount each one makes.
import { InvalidParameterError, NotImplementedError } from '../../errors';
import type { Mount } from '../../stores/snapshots';

const KEYS = new Set(['type', 'device', 'o']);
const FLAG_OPTIONS = new Set(['ro', 'rw', 'noexec', 'exec', 'nosuid', 'suid', 'nodev', 'dev', 'noatime', 'relatime']);
const TMPFS_VALUE_OPTIONS = /^(size|mode|uid|gid|nr_inodes|nr_blocks)=[0-9A-Za-z%]+$/;

/** Check a create request's DriverOpts; throws InvalidParameter/NotImplemented with Docker's words ("create NAME: …"). */
export function validateLocalOptions(name: string, opts: Record<string, string> | null | undefined): void {
  try {
    for (const [k, v] of Object.entries(opts ?? {})) {
      if (!KEYS.has(k)) throw new InvalidParameterError(`invalid option: "${k}"`);
      if (typeof v !== 'string') throw new InvalidParameterError(`invalid option value for "${k}"`);
    }
    localMount(opts);
  } catch (err) {
    if (err instanceof InvalidParameterError) throw new InvalidParameterError(`create ${name}: ${err.message}`);
    throw err;
  }
}

/** The mount for a volume with options, or undefined for a plain directory volume. */
export function localMount(opts: Record<string, string> | null | undefined): Mount | undefined {
  if (!opts || !Object.keys(opts).length) return undefined;
  const type = opts.type ?? '';
  const device = opts.device ?? '';
  const o = (opts.o ?? '').split(',').filter(Boolean);
  if (!type) throw new InvalidParameterError('missing required option: "type"');
  if (!device) throw new InvalidParameterError('missing required option: "device"');
  if (type === 'tmpfs') {
    // The device is only a label for tmpfs, but it reaches mount(8)'s argv: nothing that could read as an option.
    if (!/^[A-Za-z0-9][A-Za-z0-9_.]*$/.test(device)) throw new InvalidParameterError(`invalid tmpfs device: "${device}"`);
    for (const item of o) {
      if (!FLAG_OPTIONS.has(item) && !TMPFS_VALUE_OPTIONS.test(item)) throw new InvalidParameterError(`invalid tmpfs option: "${item}"`);
    }
    return { type: 'tmpfs', source: device, options: o };
  }
  if (o.includes('bind') || o.includes('rbind')) {
    if (!device.startsWith('/')) throw new InvalidParameterError(`invalid bind device: "${device}": must be an absolute path`);
    for (const item of o) {
      if (item !== 'bind' && item !== 'rbind' && !FLAG_OPTIONS.has(item)) throw new InvalidParameterError(`invalid bind option: "${item}"`);
    }
    return { type: 'none', source: device, options: o };
  }
  throw new NotImplementedError(`local volume type "${type}" is not implemented: only tmpfs and bind (o=bind) are`);
}
