// The real host: spawns programs and mounts through mount(8)/umount(8).
import { mkdir, realpath } from 'node:fs/promises';
import type { Host } from './index';
import type { Mount } from '../stores/snapshots';
import { runCommand, type RunOptions } from './process';
import { isMountPoint } from './mount-table';

export class LinuxHost implements Host {
  run(cmd: string, args: string[], opts?: RunOptions) {
    return runCommand(cmd, args, opts);
  }

  async mount(mounts: Mount[], target: string): Promise<void> {
    await mkdir(target, { recursive: true });
    for (const m of mounts) {
      const args = ['-t', m.type];
      if (m.options.length) args.push('-o', m.options.join(','));
      args.push(m.source, target);
      await runCommand('mount', args);
    }
  }

  async unmount(target: string): Promise<void> {
    // Teardown paths unmount again to be sure; skipping umount(8) when nothing is mounted saves a fork of berthd.
    const real = await realpath(target).catch(() => undefined);
    if (real !== undefined && !(await isMountPoint(real))) return;
    const r = await runCommand('umount', [target], { allowFailure: true });
    if (r.code === 0 || /not mounted|no mount point|not found/i.test(r.stderr)) return;
    await runCommand('umount', ['-l', target], { allowFailure: true });
  }
}
