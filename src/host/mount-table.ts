// Reading the kernel's mount table: which paths are mount points in berthd's mount namespace.
import { readFile } from 'node:fs/promises';

/** A mount point as /proc/self/mountinfo writes it (space, tab, newline and backslash as octal escapes), decoded. */
export function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mount points listed in a mountinfo text (the fifth field of each line). */
export function mountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (field) out.push(decodeMountPath(field));
  }
  return out;
}

/** True if something is mounted on `target` (an absolute, normalised path); true too if the table cannot be read. */
export async function isMountPoint(target: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => undefined);
  return info === undefined || mountPoints(info).includes(target);
}

/** The first mount point of a filesystem type (the field after " - " in mountinfo), e.g. where cgroup2 is. */
export function mountPointOfType(mountinfo: string, fstype: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.split(' ')[0] === fstype) return decodeMountPath(left.split(' ')[4]);
  }
  return undefined;
}
