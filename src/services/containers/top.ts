// `docker top`: ps(1) on the host, keeping the rows of the container's processes.
import { InvalidParameterError } from '../../errors';
import type { ContainerContext } from './context';
import { requireRunning, type ContainerRecord } from './record';

export async function topContainer(ctx: ContainerContext, r: ContainerRecord, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
  requireRunning(r);
  const args = (psArgs || '-ef').split(/\s+/).filter(Boolean);
  const pids = new Set(await ctx.deps.runtime.pids(r.id));
  const out = await ctx.deps.host.run('ps', args, { allowFailure: true });
  if (out.code !== 0) throw new InvalidParameterError(`Error running ps: ${out.stderr.trim()}`);
  const lines = out.stdout.split('\n').filter(Boolean);
  const titles = lines[0].trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new InvalidParameterError('Couldn\'t find PID field in ps output');
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(Number(fields[pidCol]))) continue;
    // The last column (the command) may hold spaces: keep it whole.
    processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')]);
  }
  return { Titles: titles, Processes: processes };
}
