// `berth ps` / `berth container ls`: list containers as docker's table, -q, --format.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { clientFor, collect, filtersJson, writeOut } from '../context';
import { ContainerRow, ContainerSummary, PS_DEFAULT, PS_LABELS } from '../format/container-row';
import { PS_WORDING, formatRows } from '../format/formatter';

interface PsOptions { all?: boolean; quiet?: boolean; noTrunc?: boolean; filter?: string[]; format?: string; size?: boolean; last?: string; latest?: boolean }

export function registerPs(parent: Command, name: string, aliases: string[] = []): Command {
  return subcommand(parent, name, '[OPTIONS]', 'List containers')
    .aliases(aliases)
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <format>', 'Format output using a custom template')
    .option('-n, --last <n>', 'Show n last created containers (includes all states)')
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs')
    .option('-s, --size', 'Display total file sizes')
    .action(async (opts: PsOptions & { trunc?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      const limit = opts.latest ? 1 : opts.last !== undefined ? Number(opts.last) : undefined;
      let format = opts.format ?? (opts.quiet ? '{{.ID}}' : PS_DEFAULT);
      if (opts.quiet && opts.format === undefined) format = '{{.ID}}';
      const wantsSize = opts.size || /\.Size\b/.test(format) || /\{\{\s*json\s+\.\s*\}\}/.test(format);
      if (opts.size && opts.format === undefined && !opts.quiet) format += '\t{{.Size}}';
      const list = await client.json<ContainerSummary[]>('GET', '/containers/json', {
        query: {
          all: opts.all || (limit !== undefined && limit > 0) ? '1' : undefined,
          limit: limit !== undefined && limit > 0 ? limit : undefined,
          size: wantsSize ? '1' : undefined,
          filters: filtersJson(opts.filter),
        },
      });
      const now = Date.now();
      const rows = list.map((c) => new ContainerRow(c, opts.trunc !== false, now));
      await writeOut(formatRows(format, rows, PS_LABELS, PS_WORDING));
    });
}
