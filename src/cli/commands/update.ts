// `berth update`: new resource limits and restart policy for one or more containers (POST /containers/{id}/update).
import { Option, type Command } from 'commander';
import { flagError, subcommand } from '../command';
import { StatusError, clientFor, writeOut } from '../context';
import { reportEach } from './common';
import { nanoCpus, ramInBytes } from './container-config';

interface UpdateFlags {
  blkioWeight?: string; cpuPeriod?: string; cpuQuota?: string; cpuShares?: string; cpus?: string; cpusetCpus?: string;
  cpusetMems?: string; memory?: string; memoryReservation?: string; memorySwap?: string; kernelMemory?: string;
  pidsLimit?: string; restart?: string;
}

/** A flag value as pflag reads it; a parse failure becomes docker's `invalid argument … for … flag` (exit 125). */
type ValueParser = (text: string) => number;

const size: ValueParser = (text) => {
  try { return ramInBytes(text); } catch { throw new Error(`invalid size: '${text}'`); }
};
const swapSize: ValueParser = (text) => (text === '-1' ? -1 : size(text));

/** Go's strconv.ParseInt/ParseUint (base 10) within `bits`, with their error wording. */
function integer(bits: number, signed: boolean): ValueParser {
  const fn = signed ? 'ParseInt' : 'ParseUint';
  return (text) => {
    if (!(signed ? /^[+-]?\d+$/ : /^\+?\d+$/).test(text)) throw new Error(`strconv.${fn}: parsing "${text}": invalid syntax`);
    const v = BigInt(text);
    const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
    const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
    if (v > max || v < min) throw new Error(`strconv.${fn}: parsing "${text}": value out of range`);
    return Number(v);
  };
}
const int64 = integer(64, true);

/** docker's opts.ParseRestartPolicy: only the "name[:count]" shape is checked here; the daemon checks the name. */
function restartPolicy(text: string | undefined): { Name: string; MaximumRetryCount: number } {
  if (!text) return { Name: '', MaximumRetryCount: 0 };
  const i = text.indexOf(':');
  const name = i < 0 ? text : text.slice(0, i);
  const count = i < 0 ? '' : text.slice(i + 1);
  if (i >= 0 && name === '') throw new StatusError(1, 'invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[+-]?\d+$/.test(count)) throw new StatusError(1, 'invalid restart policy format: maximum retry count must be an integer');
  return { Name: name, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

/** The update body (docker's container.UpdateConfig) from the flags; unset numbers are 0, which the daemon leaves alone. */
export function updateBody(flags: UpdateFlags, onBadValue: (flag: string, text: string, reason: string) => Error): Record<string, unknown> {
  const read = (flag: string, text: string | undefined, parse: ValueParser): number => {
    if (text === undefined) return 0;
    try { return parse(text); } catch (err) { throw onBadValue(flag, text, (err as Error).message); }
  };
  const pids = read('--pids-limit', flags.pidsLimit, int64);
  read('--kernel-memory', flags.kernelMemory, size); // checked as docker does, then dropped: API ≥ 1.42 ignores it
  return {
    BlkioWeight: read('--blkio-weight', flags.blkioWeight, integer(16, false)),
    CpusetCpus: flags.cpusetCpus ?? '',
    CpusetMems: flags.cpusetMems ?? '',
    CpuShares: read('-c, --cpu-shares', flags.cpuShares, int64),
    Memory: read('-m, --memory', flags.memory, size),
    MemoryReservation: read('--memory-reservation', flags.memoryReservation, size),
    MemorySwap: read('--memory-swap', flags.memorySwap, swapSize),
    CpuPeriod: read('--cpu-period', flags.cpuPeriod, int64),
    CpuQuota: read('--cpu-quota', flags.cpuQuota, int64),
    NanoCpus: read('--cpus', flags.cpus, nanoCpus),
    // A pointer in docker: only sent when set, so 0 never clears a limit.
    ...(pids !== 0 ? { PidsLimit: pids } : {}),
    RestartPolicy: restartPolicy(flags.restart),
  };
}

export function registerUpdate(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER [CONTAINER...]', 'Update configuration of one or more containers')
    .argument('<containers...>')
    .option('--blkio-weight <uint16>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)')
    .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
    .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--memory-swap <bytes>', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap')
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--restart <string>', 'Restart policy to apply when a container exits')
    .addOption(new Option('--kernel-memory <bytes>', 'Kernel memory limit (deprecated)').hideHelp())
    .action(async (containers: string[], flags: UpdateFlags, cmd: Command) => {
      const given = cmd.options.filter((o) => cmd.getOptionValueSource(o.attributeName()) === 'cli').length;
      if (given === 0) throw new StatusError(1, 'you must provide one or more flags when using this command');
      const body = updateBody(flags, (flag, text, reason) => flagError(cmd, `invalid argument "${text}" for "${flag}" flag: ${reason}`));
      const client = clientFor(cmd);
      const warnings: string[] = [];
      try {
        await reportEach(containers, async (c) => {
          const res = await client.json<{ Warnings?: string[] | null }>('POST', `/containers/${encodeURIComponent(c)}/update`, { body });
          warnings.push(...(res?.Warnings ?? []));
          return c + '\n';
        });
      } finally {
        // docker prints the daemon's warnings after the names, failures or not.
        if (warnings.length) await writeOut(warnings.join('\n') + '\n');
      }
    });
}
