// What containers get for RLIMIT_NOFILE: Docker's 1048576, never above the daemon's own hard limit.
import { daemonHardLimits } from '../runtime/rlimits';

export function containerNofile(): { soft: number; hard: number } {
  const hard = Math.min(1048576, daemonHardLimits().nofile);
  return { soft: hard, hard };
}
