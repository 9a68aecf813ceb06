// Turns a Docker seccomp profile (archMap, includes/excludes) into the OCI linux.seccomp runc loads (moby profiles/seccomp/seccomp_linux.go).
import { arch as nodeArch, release } from 'node:os';

interface SeccompArg { index: number; value: number; valueTwo?: number; op: string }
interface Filter { caps?: string[] | null; arches?: string[] | null; minKernel?: string | null }

export interface SeccompSyscall {
  names?: string[] | null;
  /** Deprecated single-name form some old profiles use. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  comment?: string;
  includes?: Filter;
  excludes?: Filter;
}

/** Docker's profile format (also accepts OCI-shaped profiles that list `architectures` directly). */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[] | null;
  archMap?: Array<{ architecture: string; subArchitectures: string[] | null }> | null;
  flags?: string[] | null;
  listenerPath?: string;
  syscalls?: SeccompSyscall[] | null;
}

/** The OCI runtime-spec LinuxSeccomp object. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }>;
}

/** What the filter depends on: the container's bounding set, the Go arch name, the kernel release. */
export interface SeccompTarget {
  capabilities: readonly string[];
  /** Go's GOARCH spelling ("amd64", "arm64"), as profiles name arches. */
  arch?: string;
  /** "6.1.0-18-amd64"; only major.minor matter. */
  kernel?: string;
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: 'x86', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64', loong64: 'loong64', mips64el: 'mips64le' };
const SCMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', x86: 'SCMP_ARCH_X86', x32: 'SCMP_ARCH_X32', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM',
  s390x: 'SCMP_ARCH_S390X', s390: 'SCMP_ARCH_S390', ppc64le: 'SCMP_ARCH_PPC64LE', riscv64: 'SCMP_ARCH_RISCV64',
  loong64: 'SCMP_ARCH_LOONGARCH64', mips64le: 'SCMP_ARCH_MIPSEL64', mips64: 'SCMP_ARCH_MIPS64',
};

/** This host's arch in Go's spelling. */
export function hostGoArch(): string {
  return GOARCH[nodeArch()] ?? nodeArch();
}

/** Compare kernel releases by major.minor: negative when a < b. */
function compareKernel(a: string, b: string): number {
  const parse = (s: string) => (/^(\d+)\.(\d+)/.exec(s) ?? ['', '0', '0']).slice(1, 3).map(Number);
  const [am, an] = parse(a);
  const [bm, bn] = parse(b);
  return am !== bm ? am - bm : an - bn;
}

/** Whether one rule applies to the target: every exclude misses and every include hits. */
function applies(call: SeccompSyscall, caps: ReadonlySet<string>, arch: string, kernel: string): boolean {
  const ex = call.excludes ?? {};
  if (ex.arches?.length && ex.arches.includes(arch)) return false;
  if (ex.caps?.length && ex.caps.some((c) => caps.has(c))) return false;
  if (ex.minKernel && compareKernel(kernel, ex.minKernel) >= 0) return false;
  const inc = call.includes ?? {};
  if (inc.arches?.length && !inc.arches.includes(arch)) return false;
  if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) return false;
  if (inc.minKernel && compareKernel(kernel, inc.minKernel) < 0) return false;
  return true;
}

/** The OCI filter for `profile` given the container's capabilities, arch and kernel. Throws TypeError on a malformed profile. */
export function translateSeccomp(profile: SeccompProfile, target: SeccompTarget): OciSeccomp {
  if (typeof profile !== 'object' || profile === null || typeof profile.defaultAction !== 'string' || !profile.defaultAction) {
    throw new TypeError('seccomp profile has no defaultAction');
  }
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new TypeError("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const arch = target.arch ?? hostGoArch();
  const kernel = target.kernel ?? release();
  const caps = new Set(target.capabilities);
  const out: OciSeccomp = { defaultAction: profile.defaultAction, syscalls: [] };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const native = SCMP_ARCH[arch];
  const arches = profile.architectures?.length
    ? [...profile.architectures]
    : (profile.archMap ?? []).filter((m) => m.architecture === native).flatMap((m) => [m.architecture, ...(m.subArchitectures ?? [])]);
  if (arches.length) out.architectures = arches;
  if (profile.flags?.length) out.flags = [...profile.flags];
  if (profile.listenerPath) out.listenerPath = profile.listenerPath;
  for (const call of profile.syscalls ?? []) {
    if (call.name && call.names?.length) throw new TypeError("use either 'name' or 'names' in a seccomp rule, not both");
    if (!applies(call, caps, arch, kernel)) continue;
    const names = call.names?.length ? [...call.names] : call.name ? [call.name] : [];
    out.syscalls.push({
      names, action: call.action,
      ...(call.errnoRet !== undefined ? { errnoRet: call.errnoRet } : {}),
      ...(call.args?.length ? { args: call.args.map((a) => ({ ...a })) } : {}),
    });
  }
  return out;
}
