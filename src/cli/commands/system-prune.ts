// `berth system prune`: docker's sequence of prunes (containers, networks, volumes, images, build cache) and its report.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor, collect, filtersJson, writeOut } from '../context';
import { humanSize } from '../../units/human';
import { confirm } from './common';

interface PruneOptions { all?: boolean; force?: boolean; volumes?: boolean; filter?: string[] }

function warning(opts: PruneOptions): string {
  const items = [
    'all stopped containers',
    'all networks not used by at least one container',
    ...(opts.volumes ? ['all anonymous volumes not used by at least one container'] : []),
    opts.all ? 'all images without at least one container associated to them' : 'all dangling images',
    opts.all ? 'all build cache' : 'unused build cache',
  ];
  return `WARNING! This will remove:\n${items.map((i) => `  - ${i}\n`).join('')}`;
}

function section(title: string, lines: string[]): string {
  return lines.length ? `${title}:\n${lines.join('\n')}\n\n` : '';
}

export function registerSystemPrune(parent: Command): Command {
  return subcommand(parent, 'prune', '[OPTIONS]', 'Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<key>=<value>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune anonymous volumes')
    .action(async (opts: PruneOptions, cmd: Command) => {
      if (!opts.force && !(await confirm(warning(opts)))) throw new StatusError(0);
      const client = clientFor(cmd);
      const filters = opts.filter ?? [];
      const post = <T>(path: string, extra: string[] = [], query: Record<string, string | undefined> = {}) =>
        client.json<T>('POST', path, { query: { ...query, filters: filtersJson([...filters, ...extra]) } });
      let out = '';
      let space = 0;
      const ctrs = await post<{ ContainersDeleted?: string[] | null; SpaceReclaimed?: number }>('/containers/prune');
      out += section('Deleted Containers', ctrs.ContainersDeleted ?? []);
      space += ctrs.SpaceReclaimed ?? 0;
      const nets = await post<{ NetworksDeleted?: string[] | null }>('/networks/prune');
      out += section('Deleted Networks', nets.NetworksDeleted ?? []);
      if (opts.volumes) {
        const vols = await post<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>('/volumes/prune');
        out += section('Deleted Volumes', vols.VolumesDeleted ?? []);
        space += vols.SpaceReclaimed ?? 0;
      }
      const imgs = await post<{ ImagesDeleted?: Array<{ Untagged?: string; Deleted?: string }> | null; SpaceReclaimed?: number }>(
        '/images/prune', [`dangling=${opts.all ? 'false' : 'true'}`]);
      out += section('Deleted Images', (imgs.ImagesDeleted ?? []).map((d) => (d.Untagged ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`)));
      space += imgs.SpaceReclaimed ?? 0;
      const cache = await post<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }>('/build/prune', [], { all: opts.all ? '1' : undefined });
      out += section('Deleted build cache objects', cache.CachesDeleted ?? []);
      space += cache.SpaceReclaimed ?? 0;
      await writeOut(`${out}Total reclaimed space: ${humanSize(space)}\n`);
    });
}
