// `berth system df`: disk used by images, containers, local volumes and the build cache (GET /system/df), as docker prints it.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor, writeOut } from '../context';
import {
  DF_CACHE_DEFAULT, DF_CACHE_LABELS, DF_CONTAINERS_DEFAULT, DF_DEFAULT, DF_IMAGES_DEFAULT, DF_LABELS, DF_VOLUMES_DEFAULT,
  DF_VOLUME_LABELS, summaryRows, verboseSections, type DiskUsage,
} from '../format/disk-usage';
import { PS_LABELS } from '../format/container-row';
import { IMAGES_LABELS } from '../format/image-row';
import { formatRows, preFormat } from '../format/formatter';
import { GoTemplate, TemplateError } from '../format/go-template';
import { humanSize } from '../../units/human';

/** The -v tables: each section under its title, its header printed even when it has no rows. */
function verboseTables(du: DiskUsage): string {
  const s = verboseSections(du, true);
  const cacheSize = (du.BuildCache ?? []).filter((b) => !b.Shared).reduce((n, b) => n + (b.Size ?? 0), 0);
  return 'Images space usage:\n\n' + formatRows(DF_IMAGES_DEFAULT, s.Images, IMAGES_LABELS) +
    '\nContainers space usage:\n\n' + formatRows(DF_CONTAINERS_DEFAULT, s.Containers, PS_LABELS) +
    '\nLocal Volumes space usage:\n\n' + formatRows(DF_VOLUMES_DEFAULT, s.Volumes, DF_VOLUME_LABELS) +
    `\nBuild cache usage: ${humanSize(cacheSize, 4)}\n\n` + formatRows(DF_CACHE_DEFAULT, s.BuildCache, DF_CACHE_LABELS);
}

/** -v with a custom template: run once over {Images, Containers, Volumes, BuildCache}, as docker does. */
function verboseTemplate(format: string, du: DiskUsage): string {
  try {
    return new GoTemplate(preFormat(format)).execute(verboseSections(du, false)) + '\n';
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(1, `template parsing error: ${err.message}`);
    throw err;
  }
}

export function registerSystemDf(parent: Command): Command {
  return subcommand(parent, 'df', '[OPTIONS]', 'Show berth disk usage')
    .option('--format <format>', 'Format output using a custom template')
    .option('-v, --verbose', 'Show detailed information on space usage')
    .action(async (opts: { format?: string; verbose?: boolean }, cmd: Command) => {
      const du = await clientFor(cmd).json<DiskUsage>('GET', '/system/df');
      const format = opts.format || 'table';
      if (opts.verbose) await writeOut(format === 'table' ? verboseTables(du) : verboseTemplate(format, du));
      else await writeOut(formatRows(format === 'table' ? DF_DEFAULT : format, summaryRows(du), DF_LABELS));
    });
}
