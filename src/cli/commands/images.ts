// Image commands: images/ls, rmi, tag, history, image prune.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor, collect, filtersJson, writeOut } from '../context';
import { formatRows } from '../format/formatter';
import { humanSize } from '../../units/human';
import {
  HISTORY_DEFAULT, HISTORY_LABELS, HistoryEntry, HistoryRow, IMAGES_DEFAULT, IMAGES_DIGESTS, IMAGES_LABELS, ImageSummary, imageRows,
} from '../format/image-row';
import { confirm, reportEach } from './common';

export function registerImages(parent: Command, name: string, aliases: string[] = []): Command {
  return subcommand(parent, name, '[OPTIONS] [REPOSITORY[:TAG]]', 'List images')
    .aliases(aliases)
    .argument('[reference]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <format>', 'Format output using a custom template')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (reference: string | undefined, opts: { all?: boolean; digests?: boolean; filter?: string[]; format?: string; trunc?: boolean; quiet?: boolean }, cmd: Command) => {
      const filters = [...(opts.filter ?? [])];
      if (reference) filters.push(`reference=${reference}`);
      const list = await clientFor(cmd).json<ImageSummary[]>('GET', '/images/json', {
        query: { all: opts.all ? '1' : undefined, filters: filtersJson(filters) },
      });
      list.sort((a, b) => b.Created - a.Created);
      const trunc = opts.trunc !== false;
      if (opts.quiet && opts.format === undefined) {
        const seen = new Set<string>();
        const ids = imageRows(list, trunc, false).map((r) => r.ID()).filter((id) => !seen.has(id) && seen.add(id));
        await writeOut(ids.map((id) => id + '\n').join(''));
        return;
      }
      const format = opts.format ?? (opts.digests ? IMAGES_DIGESTS : IMAGES_DEFAULT);
      await writeOut(formatRows(format, imageRows(list, trunc, !!opts.digests), IMAGES_LABELS));
    });
}

export function registerRmi(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] IMAGE [IMAGE...]', 'Remove one or more images')
    .argument('<images...>')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action(async (images: string[], opts: { force?: boolean; prune?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(images, async (img) => {
        const items = await client.json<{ Untagged?: string; Deleted?: string }[]>('DELETE', `/images/${encodeURIComponent(img)}`, {
          query: { force: opts.force ? '1' : undefined, noprune: opts.prune === false ? '1' : undefined },
        });
        return (items ?? []).map((i) => (i.Untagged ? `Untagged: ${i.Untagged}\n` : `Deleted: ${i.Deleted}\n`)).join('');
      });
    });
}

/** Split "repo[:tag]" at the last colon after the last slash. */
export function splitReference(ref: string): { repo: string; tag: string | undefined } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: undefined };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: undefined };
}

export function registerTag(parent: Command, name: string): Command {
  return subcommand(parent, name, 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('<source>').argument('<target>')
    .action(async (source: string, target: string, _opts: unknown, cmd: Command) => {
      const { repo, tag } = splitReference(target);
      await clientFor(cmd).request('POST', `/images/${encodeURIComponent(source)}/tag`, { query: { repo, tag: tag ?? 'latest' } })
        .then((r) => r.body.resume());
    });
}

export function registerHistory(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] IMAGE', 'Show the history of an image')
    .argument('<image>')
    .option('--format <format>', 'Format output using a custom template')
    .option('-H, --human [bool]', 'Print sizes and dates in human readable format', true)
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (image: string, opts: { format?: string; human?: boolean | string; trunc?: boolean; quiet?: boolean }, cmd: Command) => {
      const entries = await clientFor(cmd).json<HistoryEntry[]>('GET', `/images/${encodeURIComponent(image)}/history`);
      const human = opts.human !== false && opts.human !== 'false';
      const rows = entries.map((e) => new HistoryRow(e, opts.trunc !== false, human));
      const format = opts.format ?? (opts.quiet ? '{{.ID}}' : HISTORY_DEFAULT);
      await writeOut(formatRows(format, rows, HISTORY_LABELS));
    });
}

export function registerImagePrune(parent: Command): Command {
  return subcommand(parent, 'prune', '[OPTIONS]', 'Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (opts: { all?: boolean; filter?: string[]; force?: boolean }, cmd: Command) => {
      const warning = opts.all
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (!opts.force && !(await confirm(warning))) throw new StatusError(0);
      const filters = [...(opts.filter ?? [])];
      filters.push(`dangling=${opts.all ? 'false' : 'true'}`);
      const res = await clientFor(cmd).json<{ ImagesDeleted?: { Untagged?: string; Deleted?: string }[] | null; SpaceReclaimed?: number }>(
        'POST', '/images/prune', { query: { filters: filtersJson(filters) } });
      let out = '';
      const deleted = res.ImagesDeleted ?? [];
      if (deleted.length) {
        out += 'Deleted Images:\n';
        for (const d of deleted) out += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`;
        out += '\n';
      }
      out += `Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0)}\n`;
      await writeOut(out);
    });
}
