import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { translateSeccomp } from './seccomp';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default';
import { DEFAULT_CAPABILITIES } from './spec';

const allowed = (caps: readonly string[], arch = 'amd64', kernel = '6.1.0') => {
  const out = translateSeccomp(DEFAULT_SECCOMP_PROFILE, { capabilities: caps, arch, kernel });
  return { out, names: new Set(out.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args).flatMap((s) => s.names)) };
};

describe('translateSeccomp', () => {
  it("keeps the default action and lists this arch's architectures from archMap", () => {
    const { out } = allowed(DEFAULT_CAPABILITIES);
    assert.equal(out.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(out.defaultErrnoRet, 1);
    assert.deepEqual(out.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.deepEqual(allowed(DEFAULT_CAPABILITIES, 'arm64').out.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  });

  it('includes cap-gated syscalls only with the capability', () => {
    assert.ok(!allowed(DEFAULT_CAPABILITIES).names.has('mount'));
    assert.ok(!allowed(DEFAULT_CAPABILITIES).names.has('bpf'));
    assert.ok(allowed([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']).names.has('mount'));
    assert.ok(allowed([...DEFAULT_CAPABILITIES, 'CAP_SYS_TIME']).names.has('settimeofday'));
    assert.ok(allowed(DEFAULT_CAPABILITIES).names.has('chroot'), 'CAP_SYS_CHROOT is a default');
  });

  it('drops rules excluded by a held capability', () => {
    const masked = (caps: readonly string[]) => translateSeccomp(DEFAULT_SECCOMP_PROFILE, { capabilities: caps, arch: 'amd64', kernel: '6.1' })
      .syscalls.filter((s) => s.names.includes('clone3') && s.action === 'SCMP_ACT_ERRNO');
    assert.equal(masked(DEFAULT_CAPABILITIES).length, 1);
    assert.equal(masked([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']).length, 0);
  });

  it('filters by arch and minimum kernel', () => {
    assert.ok(allowed(DEFAULT_CAPABILITIES, 'amd64').names.has('arch_prctl'));
    assert.ok(!allowed(DEFAULT_CAPABILITIES, 'arm64').names.has('arch_prctl'));
    assert.ok(allowed(DEFAULT_CAPABILITIES, 'arm64').names.has('arm_fadvise64_64'));
    assert.ok(allowed(DEFAULT_CAPABILITIES, 'amd64', '4.8.0').names.has('ptrace'));
    assert.ok(!allowed(DEFAULT_CAPABILITIES, 'amd64', '4.4.0').names.has('ptrace'));
  });

  it('keeps argument filters and drops comments', () => {
    const { out } = allowed(DEFAULT_CAPABILITIES);
    const personality = out.syscalls.filter((s) => s.names.includes('personality'));
    assert.ok(personality.length >= 1 && personality.every((s) => s.args?.length === 1));
    assert.ok(out.syscalls.every((s) => !('comment' in s) && !('includes' in s)));
  });

  it('refuses a profile without defaultAction or with both architectures and archMap', () => {
    assert.throws(() => translateSeccomp({} as never, { capabilities: [] }), /defaultAction/);
    assert.throws(() => translateSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }] }, { capabilities: [] }), /archMap/);
  });
});
