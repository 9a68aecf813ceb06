// Docker's security settings: CapAdd/CapDrop/Privileged, SecurityOpt (seccomp, no-new-privileges), Devices, Tmpfs and Ulimits → SpecInput fields.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError } from '../../errors';
import type { SpecInput } from '../../runtime';
import { hostCapabilities, normalizeCapabilities, tweakCapabilities } from '../../runtime/capabilities';
import { deviceAt, hostDevices, type LinuxDevice } from '../../runtime/devices';
import { daemonHardLimits, ULIMITS } from '../../runtime/rlimits';
import { translateSeccomp, type SeccompProfile } from '../../runtime/seccomp';
import { DEFAULT_SECCOMP_PROFILE } from '../../runtime/seccomp-default';
import { DEFAULT_CAPABILITIES } from '../../runtime/spec';
import type { HostConfig } from './record';

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** 'default' is Docker's built-in profile. */
  seccomp: 'default' | 'unconfined' | SeccompProfile;
  /** systempaths=unconfined: no masked or read-only /proc and /sys paths. */
  unmaskedPaths: boolean;
}

type DeviceMapping = { PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string };
type Ulimit = { Name?: string; Soft?: number; Hard?: number };

/** Docker's parseSecurityOpt: "key=value" (or legacy "key:value"); label/apparmor are accepted and ignored. */
export function parseSecurityOpt(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccomp: 'default', unmaskedPaths: false };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') continue; // legacy "label=disable" shorthand
    let i = opt.indexOf('=');
    if (i < 0) i = opt.indexOf(':');
    if (i < 0) throw new InvalidParameterError(`invalid --security-opt 1: "${opt}"`);
    const key = opt.slice(0, i);
    const value = opt.slice(i + 1);
    switch (key) {
      case 'label': case 'apparmor':
        break;
      case 'no-new-privileges':
        if (value !== 'true' && value !== 'false') throw new InvalidParameterError(`invalid --security-opt 2: "${opt}"`);
        out.noNewPrivileges = value === 'true';
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw new InvalidParameterError(`invalid --security-opt 2: "${opt}"`);
        out.unmaskedPaths = true;
        break;
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = 'unconfined';
        else if (value === 'builtin' || value === '') out.seccomp = 'default';
        else {
          try {
            out.seccomp = JSON.parse(value) as SeccompProfile;
          } catch (err) {
            throw new InvalidParameterError(`Decoding seccomp profile failed: ${(err as Error).message}`);
          }
        }
        break;
      default:
        throw new InvalidParameterError(`invalid --security-opt 2: "${opt}"`);
    }
  }
  return out;
}

/** Docker's device mode check: only r, w and m. */
function checkDeviceMode(mode: string): boolean {
  return mode.length > 0 && [...mode].every((c) => 'rwm'.includes(c));
}

/** The ulimits as OCI rlimits; 400 for unknown names, soft above hard, or more than the daemon itself may have. */
export function ulimitsToRlimits(ulimits: readonly Ulimit[] | null | undefined, hardLimits: Record<string, number>): NonNullable<SpecInput['rlimits']> {
  return (ulimits ?? []).map((u) => {
    const name = String(u.Name ?? '');
    const entry = ULIMITS[name];
    if (!entry) throw new InvalidParameterError(`invalid ulimit type: ${name}`);
    const soft = Number(u.Soft ?? 0);
    const hard = Number(u.Hard ?? 0);
    if (!Number.isInteger(soft) || !Number.isInteger(hard)) throw new InvalidParameterError(`invalid ulimit value for ${name}`);
    if (soft > hard) throw new InvalidParameterError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
    const ceiling = hardLimits[name] ?? Infinity;
    // runc would raise it as root, but berth never hands a container more than the daemon has.
    if (hard > ceiling) throw new InvalidParameterError(`ulimit "${name}": hard limit ${hard} exceeds the daemon's own hard limit ${ceiling}`);
    return { type: entry[0], soft, hard };
  });
}

/** Create-time checks of every security field, so a bad request is a 400 before anything is stored. */
export function validateSecurity(hc: HostConfig, hardLimits: Record<string, number> = daemonHardLimits()): void {
  try {
    normalizeCapabilities((hc.CapAdd as string[] | null) ?? []);
    normalizeCapabilities((hc.CapDrop as string[] | null) ?? []);
  } catch (err) {
    throw new InvalidParameterError((err as Error).message);
  }
  const opts = parseSecurityOpt(hc.SecurityOpt as string[] | null);
  if (typeof opts.seccomp === 'object') {
    try {
      translateSeccomp(opts.seccomp, { capabilities: [] });
    } catch (err) {
      throw new InvalidParameterError(`Decoding seccomp profile failed: ${(err as Error).message}`);
    }
  }
  for (const d of (hc.Devices as DeviceMapping[] | null) ?? []) {
    if (!d.PathOnHost) throw new InvalidParameterError('device path on host cannot be empty');
    if (d.CgroupPermissions && !checkDeviceMode(d.CgroupPermissions)) throw new InvalidParameterError(`invalid device mode: ${d.CgroupPermissions}`);
  }
  for (const dest of Object.keys((hc.Tmpfs as Record<string, string> | null) ?? {})) {
    if (!path.isAbsolute(dest)) throw new InvalidParameterError(`invalid mount config for type "tmpfs": invalid mount path: '${dest}' mount path must be absolute`);
  }
  ulimitsToRlimits(hc.Ulimits as Ulimit[] | null, hardLimits);
}

/** Docker's tmpfs options: noexec,nosuid,nodev unless the user says otherwise, then the user's. */
export function tmpfsMounts(tmpfs: Record<string, string> | null | undefined): SpecInput['mounts'] {
  const opposite: Record<string, string> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev' };
  return Object.entries(tmpfs ?? {}).map(([destination, opts]) => {
    const user = opts ? opts.split(',').filter(Boolean) : [];
    const defaults = ['noexec', 'nosuid', 'nodev'].filter((d) => !user.some((u) => opposite[u] === d || u === d));
    return { destination: path.normalize(destination), source: 'tmpfs', type: 'tmpfs' as const, options: [...defaults, ...user] };
  });
}

/** The host devices for --device entries (a directory adds every node under it), with their cgroup permissions. */
async function userDevices(list: readonly DeviceMapping[]): Promise<NonNullable<SpecInput['devices']>> {
  const out: NonNullable<SpecInput['devices']> = [];
  for (const d of list) {
    const host = d.PathOnHost!;
    const inContainer = d.PathInContainer || host;
    const permissions = d.CgroupPermissions || 'rwm';
    const found: LinuxDevice[] = [];
    try {
      if ((await stat(host)).isDirectory()) {
        for (const dev of await hostDevices(host)) found.push({ ...dev, path: path.join(inContainer, path.relative(host, dev.path)) });
      } else {
        const dev = await deviceAt(host, inContainer);
        if (!dev) throw new Error('not a device node');
        found.push(dev);
      }
    } catch (err) {
      throw new InvalidParameterError(`error gathering device information while adding custom device "${host}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    out.push(...found.map((dev) => ({ ...dev, permissions })));
  }
  return out;
}

/** Everything security-related the spec needs, computed at start (devices are looked up on the host then). */
export async function securitySpec(hc: HostConfig, hardLimits: Record<string, number> = daemonHardLimits()): Promise<
  Pick<SpecInput, 'capabilities' | 'privileged' | 'noNewPrivileges' | 'seccomp' | 'devices' | 'rlimits'> & { tmpfs: SpecInput['mounts']; unmaskedPaths: boolean }
> {
  const privileged = !!hc.Privileged;
  const opts = parseSecurityOpt(hc.SecurityOpt as string[] | null);
  let capabilities: string[];
  try {
    capabilities = tweakCapabilities(DEFAULT_CAPABILITIES, (hc.CapAdd as string[] | null) ?? [], (hc.CapDrop as string[] | null) ?? [], privileged, hostCapabilities());
  } catch (err) {
    throw new InvalidParameterError((err as Error).message);
  }
  const profile = privileged || opts.seccomp === 'unconfined' ? undefined : opts.seccomp === 'default' ? DEFAULT_SECCOMP_PROFILE : opts.seccomp;
  const privilegedDevices = privileged ? (await hostDevices()).map((d) => ({ ...d, permissions: 'rwm' })) : [];
  const devices = [...privilegedDevices, ...(await userDevices((hc.Devices as DeviceMapping[] | null) ?? []))];
  return {
    capabilities,
    privileged,
    noNewPrivileges: opts.noNewPrivileges,
    seccomp: profile ? translateSeccomp(profile, { capabilities }) : undefined,
    devices,
    rlimits: ulimitsToRlimits(hc.Ulimits as Ulimit[] | null, hardLimits),
    tmpfs: tmpfsMounts(hc.Tmpfs as Record<string, string> | null),
    unmaskedPaths: opts.unmaskedPaths,
  };
}
