// Freezing a container's processes through its cgroup, as `runc pause`/`runc resume` do, without spawning runc.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SystemError } from '../errors';

/** How long a freeze may take before it is given up (runc waits about as long). */
const FREEZE_ATTEMPTS = 1000;
/** Every so many attempts a stuck FREEZING cgroup (v1) is thawed and frozen again, as runc does. */
const REFREEZE_EVERY = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The cgroup freezer of one cgroup (`cgroupsPath` as in the OCI spec, e.g.
 * "/berth/<id>"), v1 (freezer.state) or v2 (cgroup.freeze, cgroup.events).
 * `freeze` resolves once every process in the cgroup is frozen; on a
 * failure it thaws again and rejects. Both reject with ENOENT when the
 * cgroup (or, on v1, the freezer controller) is not there.
 */
export class CgroupFreezer {
  constructor(private readonly v2: boolean, private readonly root = '/sys/fs/cgroup') {}

  async freeze(cgroupsPath: string): Promise<void> {
    for (let i = 0; i < FREEZE_ATTEMPTS; i++) {
      if (i > 0 && i % REFREEZE_EVERY === 0) await this.thaw(cgroupsPath);
      await this.request(cgroupsPath, true);
      if (await this.frozen(cgroupsPath)) return;
      // Most freezes finish at once; a busy cgroup gets a little time per attempt.
      await sleep(i < 10 ? 0 : 1);
    }
    await this.thaw(cgroupsPath);
    throw new SystemError(`cgroup ${cgroupsPath} did not freeze`);
  }

  async thaw(cgroupsPath: string): Promise<void> {
    await this.request(cgroupsPath, false);
  }

  private file(cgroupsPath: string, name: string): string {
    return this.v2 ? path.join(this.root, cgroupsPath, name) : path.join(this.root, 'freezer', cgroupsPath, name);
  }

  private request(cgroupsPath: string, frozen: boolean): Promise<void> {
    return this.v2
      // r+: a missing file is ENOENT, never created.
      ? writeFile(this.file(cgroupsPath, 'cgroup.freeze'), frozen ? '1' : '0', { flag: 'r+' })
      : writeFile(this.file(cgroupsPath, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED', { flag: 'r+' });
  }

  private async frozen(cgroupsPath: string): Promise<boolean> {
    if (this.v2) return /^frozen 1$/m.test(await readFile(this.file(cgroupsPath, 'cgroup.events'), 'utf8'));
    return (await readFile(this.file(cgroupsPath, 'freezer.state'), 'utf8')).trim() === 'FROZEN';
  }
}
