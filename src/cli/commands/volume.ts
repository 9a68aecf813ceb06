// `volume` commands: create, ls, inspect, rm, prune, with docker's output shapes.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor, collect, filtersJson, keyValues, writeOut } from '../context';
import { formatRows } from '../format/formatter';
import { humanSize } from '../../units/human';
import { confirm, reportEach } from './common';
import { inspectObjects } from './inspect';

interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Scope: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
}

const LS_DEFAULT = 'table {{.Driver}}\t{{.Name}}';
const LS_LABELS: Record<string, string> = {
  Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Scope: 'SCOPE', Labels: 'LABELS', CreatedAt: 'CREATED', Links: 'LINKS', Size: 'SIZE',
};

/** One `volume ls` row, as docker's volumeContext. */
class VolumeRow {
  constructor(private readonly v: Volume) {}
  get Name(): string { return this.v.Name; }
  get Driver(): string { return this.v.Driver; }
  get Mountpoint(): string { return this.v.Mountpoint; }
  get Scope(): string { return this.v.Scope; }
  get CreatedAt(): string { return this.v.CreatedAt ?? ''; }
  get Labels(): string { return Object.entries(this.v.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','); }
  get Links(): string { return 'N/A'; }
  get Size(): string { return 'N/A'; }
  Label(name: string): string { return this.v.Labels?.[name] ?? ''; }
  toJSON(): Record<string, string> {
    return {
      Availability: 'N/A', Driver: this.Driver, Group: 'N/A', Labels: this.Labels, Links: this.Links, Mountpoint: this.Mountpoint,
      Name: this.Name, Scope: this.Scope, Size: this.Size, Status: 'N/A',
    };
  }
}

/** Driver options must each be `key=value`, as docker checks them. */
function driverOpts(list: string[] | undefined): Record<string, string> {
  const bad = (list ?? []).find((l) => l.indexOf('=') <= 0);
  if (bad !== undefined) throw new StatusError(125, `invalid argument "${bad}" for "-o, --opt" flag: invalid key value pair format in driver options`);
  return keyValues(list);
}

function registerCreate(parent: Command): Command {
  return subcommand(parent, 'create', '[OPTIONS] [VOLUME]', 'Create a volume')
    .argument('[name]')
    .option('-d, --driver <driver>', 'Specify volume driver name', 'local')
    .option('--label <label>', 'Set metadata for a volume', collect)
    .option('-o, --opt <opt>', 'Set driver specific options', collect)
    .option('--name <name>', 'Specify volume name')
    .action(async (name: string | undefined, opts: { driver: string; label?: string[]; opt?: string[]; name?: string }, cmd: Command) => {
      if (name && opts.name && name !== opts.name) throw new StatusError(1, 'conflicting options: cannot specify a volume-name through both --name and as a positional arg');
      const v = await clientFor(cmd).json<Volume>('POST', '/volumes/create', {
        body: { Name: name ?? opts.name ?? '', Driver: opts.driver, DriverOpts: driverOpts(opts.opt), Labels: keyValues(opts.label) },
      });
      await writeOut(v.Name + '\n');
    });
}

function registerLs(parent: Command): Command {
  return subcommand(parent, 'ls', '[OPTIONS]', 'List volumes')
    .aliases(['list'])
    .option('-f, --filter <filter>', "Provide filter values (e.g. 'dangling=true')", collect)
    .option('--format <format>', 'Format output using a custom template')
    .option('-q, --quiet', 'Only display volume names')
    .action(async (opts: { filter?: string[]; format?: string; quiet?: boolean }, cmd: Command) => {
      const res = await clientFor(cmd).json<{ Volumes: Volume[] | null }>('GET', '/volumes', { query: { filters: filtersJson(opts.filter) } });
      const rows = (res.Volumes ?? []).sort((a, b) => a.Name.localeCompare(b.Name)).map((v) => new VolumeRow(v));
      const format = opts.format ?? (opts.quiet ? '{{.Name}}' : LS_DEFAULT);
      await writeOut(formatRows(format, rows, LS_LABELS));
    });
}

function registerVolumeInspect(parent: Command): Command {
  return subcommand(parent, 'inspect', '[OPTIONS] VOLUME [VOLUME...]', 'Display detailed information on one or more volumes')
    .argument('<names...>')
    .option('-f, --format <format>', 'Format output using a custom template')
    .action(async (names: string[], opts: { format?: string }, cmd: Command) => {
      await inspectObjects(clientFor(cmd), names, 'volume', opts.format, false);
    });
}

function registerRm(parent: Command): Command {
  return subcommand(parent, 'rm', '[OPTIONS] VOLUME [VOLUME...]', 'Remove one or more volumes')
    .aliases(['remove'])
    .argument('<names...>')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action(async (names: string[], opts: { force?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(names, async (n) => {
        (await client.request('DELETE', `/volumes/${encodeURIComponent(n)}`, { query: { force: opts.force ? '1' : undefined } })).body.resume();
        return n + '\n';
      });
    });
}

function registerPrune(parent: Command): Command {
  return subcommand(parent, 'prune', '[OPTIONS]', 'Remove unused local volumes')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<label>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (opts: { all?: boolean; filter?: string[]; force?: boolean }, cmd: Command) => {
      const warning = opts.all
        ? 'WARNING! This will remove all local volumes not used by at least one container.'
        : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
      if (!opts.force && !(await confirm(warning))) throw new StatusError(0);
      const filters = [...(opts.filter ?? []), ...(opts.all ? ['all=true'] : [])];
      const res = await clientFor(cmd).json<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>(
        'POST', '/volumes/prune', { query: { filters: filtersJson(filters) } });
      let out = '';
      const deleted = res.VolumesDeleted ?? [];
      if (deleted.length) out += 'Deleted Volumes:\n' + deleted.map((d) => d + '\n').join('') + '\n';
      out += `Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0)}\n`;
      await writeOut(out);
    });
}

/** The `volume` group's commands, by name. */
export const VOLUME_COMMANDS: Record<string, (parent: Command) => Command> = {
  create: registerCreate, ls: registerLs, inspect: registerVolumeInspect, rm: registerRm, prune: registerPrune,
};
