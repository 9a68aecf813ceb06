// Reading a container's cgroup after the fact: whether the kernel OOM-killed something in it (v1 and v2 layouts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The `oom_kill` count from memory.oom_control (v1) or memory.events (v2) text; 0 when absent. */
export function parseOomKills(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * How many processes the OOM killer took in the cgroup at `cgroupsPath` (as in the
 * OCI spec, e.g. "/berth/<id>"). Must be read before `runc delete` removes the cgroup;
 * 0 when the cgroup is gone or the kernel has no counter.
 */
export async function oomKillCount(cgroupsPath: string, cgroupV2: boolean, root = '/sys/fs/cgroup'): Promise<number> {
  const file = cgroupV2 ? path.join(root, cgroupsPath, 'memory.events') : path.join(root, 'memory', cgroupsPath, 'memory.oom_control');
  return readFile(file, 'utf8').then(parseOomKills, () => 0);
}
