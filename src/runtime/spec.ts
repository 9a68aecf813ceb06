// Turns a SpecInput into the OCI runtime config.json Docker would hand to runc (moby oci/defaults.go + daemon/oci_linux.go).
import { daemonHardLimits } from './rlimits';
import { statfsSync } from 'node:fs';
import type { SpecInput } from './index';

/** Docker's default capability set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** /proc and /sys paths hidden from the container (moby oci/defaults.go). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi',
  '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** /proc paths mounted read-only (moby oci/defaults.go). */
export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
];

interface DeviceRule { allow: boolean; type?: 'a' | 'c' | 'b'; major?: number; minor?: number; access: string }

/** Device cgroup rules: deny everything, then Docker's allow-list (runc adds its own pty/ptmx rules on top). */
export const DEFAULT_DEVICE_RULES: readonly DeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
];

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** True when /sys/fs/cgroup is the unified (v2) hierarchy; hybrid and v1 hosts answer false. */
export function isCgroupV2(root = '/sys/fs/cgroup'): boolean {
  try {
    return statfsSync(root).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

export interface HostFacts {
  /** Whether the host runs cgroup v2 (decides the cgroup namespace); detected when omitted. */
  cgroupV2?: boolean;
  /** Ceiling for RLIMIT_NOFILE (the daemon's hard limit); read from /proc/self/limits when omitted. */
  maxNofile?: number;
}

/** Docker's default mounts, in Docker's order; /dev/shm gets the container's size; privileged makes /sys and cgroup writable. */
function defaultMounts(shmSize: number, privileged: boolean): object[] {
  const ro = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...ro, 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

function namespaces(input: SpecInput, cgroupV2: boolean): object[] {
  const ns: object[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (input.network.mode === 'none') {
    ns.push({ type: 'network' }); // a fresh netns: runc brings up lo
  } else if (input.network.mode === 'path') {
    if (!input.network.netnsPath) throw new TypeError(`network mode "path" needs netnsPath (container ${input.id})`);
    ns.push({ type: 'network', path: input.network.netnsPath });
  }
  // Docker's default cgroupns mode is "private" on v2 and "host" on v1.
  if (cgroupV2) ns.push({ type: 'cgroup' });
  return ns;
}

/** Device cgroup rules and device nodes: privileged allows everything; --device adds a node and its allow rule. */
function deviceRules(input: SpecInput): object[] {
  if (input.privileged) return [{ allow: true, access: 'rwm' }];
  const extra = (input.devices ?? []).map((d) => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: d.permissions }));
  return [...DEFAULT_DEVICE_RULES.map((d) => ({ ...d })), ...extra];
}

/** RLIMIT_NOFILE from `nofile` unless `rlimits` names it, then the rest; hard limits never above the daemon's. */
function rlimits(input: SpecInput, ceiling: number): object[] {
  const extra = input.rlimits ?? [];
  const nofile = extra.find((r) => r.type === 'RLIMIT_NOFILE') ?? { type: 'RLIMIT_NOFILE', ...input.nofile };
  const hard = Math.min(nofile.hard, ceiling);
  return [{ type: 'RLIMIT_NOFILE', hard, soft: Math.min(nofile.soft, hard) }, ...extra.filter((r) => r.type !== 'RLIMIT_NOFILE').map((r) => ({ ...r }))];
}

/** Build the OCI config.json object for `input`. Seccomp, capabilities and limits are as the caller decided them. */
export function buildSpec(input: SpecInput, facts: HostFacts = {}): object {
  const cgroupV2 = facts.cgroupV2 ?? isCgroupV2();
  const caps = [...(input.capabilities ?? DEFAULT_CAPABILITIES)];
  const privileged = !!input.privileged;
  // runc cannot raise a hard limit above its own; Docker clamps the same way.
  const ceiling = facts.maxNofile ?? daemonHardLimits().nofile;
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: input.tty,
      user: {
        uid: input.user.uid,
        gid: input.user.gid,
        ...(input.user.additionalGids.length > 0 ? { additionalGids: [...input.user.additionalGids] } : {}),
      },
      args: [...input.args],
      env: [...input.env],
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
      rlimits: rlimits(input, ceiling),
      noNewPrivileges: !!input.noNewPrivileges,
      oomScoreAdj: 0,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    hostname: input.hostname,
    mounts: [
      ...defaultMounts(input.shmSize, privileged),
      ...input.mounts.map((m) => ({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] })),
    ],
    linux: {
      resources: { devices: deviceRules(input), ...structuredClone(input.resources ?? {}) },
      cgroupsPath: input.cgroupsPath,
      namespaces: namespaces(input, cgroupV2),
      ...(input.devices?.length ? { devices: input.devices.map(({ permissions, ...d }) => ({ ...d })) } : {}),
      ...(input.seccomp ? { seccomp: structuredClone(input.seccomp) } : {}),
      maskedPaths: privileged || input.systemPathsUnconfined ? [] : [...DEFAULT_MASKED_PATHS],
      readonlyPaths: privileged || input.systemPathsUnconfined ? [] : [...DEFAULT_READONLY_PATHS],
    },
  };
}
