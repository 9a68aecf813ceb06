// How a copy stops a container's processes: its cgroup freezer written directly, `runc pause` where there is none.
import { hasCode } from '../../errors';
import { CgroupFreezer } from '../../runtime/freezer';
import { isCgroupV2 } from '../../runtime/spec';
import type { ContainerContext } from './context';

/** Freezes and thaws a running container by id; `freeze` resolves once none of its processes runs. */
export interface ContainerFreezer {
  freeze(id: string): Promise<void>;
  thaw(id: string): Promise<void>;
}

/**
 * The cgroup freezer of the container's cgroup: the same kernel state
 * `runc pause` sets (runc reports the container paused meanwhile), without
 * two runc processes per copy, which were most of a small copy's time.
 * Where the cgroup file is missing (no freezer controller), runc does it.
 */
export function copyFreezer(ctx: ContainerContext, cgroup = new CgroupFreezer(isCgroupV2())): ContainerFreezer {
  const { runtime } = ctx.deps;
  const orRunc = async (direct: () => Promise<void>, viaRunc: () => Promise<void>) => {
    try {
      await direct();
    } catch (err) {
      if (!hasCode(err, 'ENOENT')) throw err;
      await viaRunc();
    }
  };
  return {
    freeze: (id) => orRunc(() => cgroup.freeze(ctx.cgroupsPath(id)), () => runtime.pause(id)),
    thaw: (id) => orRunc(() => cgroup.thaw(ctx.cgroupsPath(id)), () => runtime.resume(id)),
  };
}
