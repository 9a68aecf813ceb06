// Linux capability names, and Docker's rules for turning the defaults plus CapAdd/CapDrop/Privileged into a set (moby oci/caps).
import { readFileSync } from 'node:fs';

/** Every capability by number (capability.h); the kernel's cap_last_cap decides how many exist. */
export const KNOWN_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/**
 * The capabilities a container can be given here: those the kernel has (up to cap_last_cap)
 * and the daemon's own bounding set holds; runc fails to apply one outside it.
 */
export function hostCapabilities(): string[] {
  let last = KNOWN_CAPABILITIES.length - 1;
  let bounding = (1n << 64n) - 1n;
  try {
    last = Math.min(last, Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim()));
  } catch { /* keep every known one */ }
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) bounding = BigInt(`0x${m[1]}`);
  } catch { /* assume all */ }
  return KNOWN_CAPABILITIES.slice(0, last + 1).filter((_, i) => (bounding >> BigInt(i)) & 1n);
}

/** "net_admin" / "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL". Throws TypeError `unknown capability: "CAP_X"`. */
export function normalizeCapabilities(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    let c = raw.toUpperCase();
    if (c !== 'ALL' && !c.startsWith('CAP_')) c = `CAP_${c}`;
    if (c !== 'ALL' && !KNOWN_CAPABILITIES.includes(c)) throw new TypeError(`unknown capability: "${c}"`);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** Docker's TweakCapabilities: privileged gets all; "ALL" in CapAdd means all but CapDrop; "ALL" in CapDrop means only CapAdd. */
export function tweakCapabilities(basics: readonly string[], add: readonly string[], drop: readonly string[], privileged: boolean, all: readonly string[]): string[] {
  if (privileged) return [...all];
  if (add.length === 0 && drop.length === 0) return [...basics];
  const capAdd = normalizeCapabilities(add);
  const capDrop = normalizeCapabilities(drop);
  let caps: string[];
  if (capAdd.includes('ALL')) caps = all.filter((c) => !capDrop.includes(c));
  else if (capDrop.includes('ALL')) caps = [...capAdd];
  else caps = [...basics.filter((c) => !capDrop.includes(c)), ...capAdd];
  return [...new Set(caps)];
}
