// Host device nodes as OCI linux.devices entries: one named by --device, or every node under /dev for --privileged.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** An OCI linux.devices entry. */
export interface LinuxDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

// glibc's major()/minor() on a dev_t.
const major = (rdev: number) => Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number) => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

/** The device node at `hostPath`, placed at `containerPath`; undefined when it is not a char or block device. */
export async function deviceAt(hostPath: string, containerPath = hostPath): Promise<LinuxDevice | undefined> {
  const s = await stat(hostPath);
  const type = s.isCharacterDevice() ? 'c' : s.isBlockDevice() ? 'b' : undefined;
  if (!type) return undefined;
  return { path: containerPath, type, major: major(s.rdev), minor: minor(s.rdev), fileMode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
}

// runc's HostDevices skips these directories and /dev/console (runc sets up its own console).
const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** Every char/block device under `root` (default /dev), as Docker gives a privileged container. */
export async function hostDevices(root = '/dev'): Promise<LinuxDevice[]> {
  const out: LinuxDevice[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(p);
      } else if ((e.isCharacterDevice() || e.isBlockDevice()) && p !== '/dev/console') {
        const d = await deviceAt(p).catch(() => undefined);
        if (d) out.push(d);
      }
    }
  };
  await walk(root);
  return out;
}
