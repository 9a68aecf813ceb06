// Turns a SpecInput into the OCI runtime config.json Docker would hand to runc (moby oci/defaults.go + daemon/oci_linux.go).
import { readFileSync, statfsSync } from 'node:fs';
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

/** The daemon's own hard RLIMIT_NOFILE (from /proc/self/limits), or undefined when unlimited/unknown. */
export function daemonNofileHardLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const hard = line?.trim().split(/\s+/)[4];
    return hard !== undefined && /^\d+$/.test(hard) ? Number(hard) : undefined;
  } catch {
    return undefined;
  }
}

export interface HostFacts {
  /** Whether the host runs cgroup v2 (decides the cgroup namespace); detected when omitted. */
  cgroupV2?: boolean;
  /** Ceiling for RLIMIT_NOFILE (the daemon's hard limit); read from /proc/self/limits when omitted. */
  maxNofile?: number;
}

/** Docker's default mounts, in Docker's order; /dev/shm gets the container's size. */
function defaultMounts(shmSize: number): object[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
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

/** Build the OCI config.json object for `input`. Seccomp is not applied yet (a later issue). */
export function buildSpec(input: SpecInput, facts: HostFacts = {}): object {
  const cgroupV2 = facts.cgroupV2 ?? isCgroupV2();
  const caps = [...DEFAULT_CAPABILITIES];
  // runc cannot raise a hard limit above its own; Docker clamps the same way.
  const ceiling = facts.maxNofile ?? daemonNofileHardLimit() ?? Infinity;
  const hard = Math.min(input.nofile.hard, ceiling);
  const soft = Math.min(input.nofile.soft, hard);
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
      rlimits: [{ type: 'RLIMIT_NOFILE', hard, soft }],
      noNewPrivileges: false,
      oomScoreAdj: 0,
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    hostname: input.hostname,
    mounts: [
      ...defaultMounts(input.shmSize),
      ...input.mounts.map((m) => ({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] })),
    ],
    linux: {
      resources: { devices: DEFAULT_DEVICE_RULES.map((d) => ({ ...d })) },
      cgroupsPath: input.cgroupsPath,
      namespaces: namespaces(input, cgroupV2),
      // seccomp: Docker's default profile is a later issue; until then the container runs unconfined.
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}
