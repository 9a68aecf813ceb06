// `inspect` (any object, or typed via container/image inspect) and `top`.
import type { Command } from 'commander';
import { ApiError } from '../../client/errors';
import type { EngineClient } from '../../client/engine-client';
import { subcommand } from '../command';
import { StatusError, clientFor, writeOut } from '../context';
import { describeError } from '../errors';
import { GoTemplate, TemplateError } from '../format/go-template';
import { preFormat } from '../format/formatter';
import { indentJson } from '../format/json-indent';
import { tabwrite } from '../format/table';

type Kind = 'container' | 'image' | 'volume' | 'network';

// docker renders inspect templates against typed structs: a nil pointer prints <nil>, a nil map
// map[], a nil slice []. JSON only says null, so the field name decides.
const POINTER_FIELDS = new Set(['Health', 'Healthcheck', 'Init', 'OomKillDisable', 'PidsLimit', 'MemorySwappiness', 'Node', 'ImageManifestDescriptor', 'Platform', 'Metadata']);
const MAP_FIELDS = new Set(['Labels', 'Volumes', 'ExposedPorts', 'Tmpfs', 'Sysctls', 'StorageOpt', 'Config', 'Networks', 'Ports', 'Options', 'DriverOpts', 'Annotations', 'Data', 'PortBindings']);
const OPTIONAL_FIELDS = new Set([...POINTER_FIELDS, ...MAP_FIELDS, 'SizeRw', 'SizeRootFs', 'Mounts', 'Cmd', 'Entrypoint', 'Env', 'OnBuild', 'Shell']);
function inspectNull(key: string): string {
  if (POINTER_FIELDS.has(key)) return '<nil>';
  if (MAP_FIELDS.has(key)) return 'map[]';
  return key ? '[]' : '<nil>';
}

async function fetchRaw(client: EngineClient, name: string, kind: Kind | undefined, size: boolean): Promise<string> {
  const enc = encodeURIComponent(name);
  if (kind === 'volume') return client.text('GET', `/volumes/${enc}`);
  if (kind === 'network') return client.text('GET', `/networks/${enc}`);
  if (kind !== 'image') {
    try {
      return await client.text('GET', `/containers/${enc}/json`, { query: { size: size ? '1' : undefined } });
    } catch (err) {
      if (kind === 'container' || !(err instanceof ApiError && err.statusCode === 404)) throw err;
    }
  }
  try {
    return await client.text('GET', `/images/${enc}/json`);
  } catch (err) {
    if (kind !== undefined || !(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
  try {
    return await client.text('GET', `/volumes/${enc}`);
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 404) throw new Error(`Error: No such object: ${name}`);
    throw err;
  }
}

/** docker's inspect output: an indented JSON array of the raw answers, or one template line per object. */
export async function inspectObjects(client: EngineClient, names: string[], kind: Kind | undefined, format: string | undefined, size: boolean): Promise<void> {
  const raws: string[] = [];
  const errors: string[] = [];
  let tmpl: GoTemplate | undefined;
  try {
    tmpl = format ? new GoTemplate(preFormat(format), { missingKeyError: true, nullAs: inspectNull, optionalKeys: OPTIONAL_FIELDS }) : undefined;
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(64, `template parsing error: ${err.message}`);
    throw err;
  }
  let out = '';
  for (const name of names) {
    try {
      const raw = (await fetchRaw(client, name, kind, size)).trim();
      if (tmpl) {
        try {
          out += tmpl.execute(JSON.parse(raw)) + '\n';
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
          await writeOut(out + '\n');
          throw new StatusError(1, `template parsing error: ${err.message}`);
        }
      }
      else raws.push(raw);
    } catch (err) {
      errors.push(describeError(err));
    }
  }
  if (!tmpl) out = (raws.length ? indentJson('[' + raws.join(',') + ']') : '[]') + '\n';
  await writeOut(out);
  if (errors.length) throw new StatusError(1, errors.join('\n'));
}

export function registerInspect(parent: Command, name: string, kind?: Kind): Command {
  const what = kind === 'image' ? 'IMAGE [IMAGE...]' : kind === 'container' ? 'CONTAINER [CONTAINER...]' : 'NAME|ID [NAME|ID...]';
  const cmd = subcommand(parent, name, `[OPTIONS] ${what}`, 'Return low-level information on objects')
    .argument('<names...>')
    .option('-f, --format <format>', 'Format output using a custom template');
  if (kind !== 'image') cmd.option('-s, --size', 'Display total file sizes');
  if (!kind) cmd.option('--type <type>', 'Only inspect objects of the given type');
  return cmd.action(async (names: string[], opts: { format?: string; size?: boolean; type?: string }, c: Command) => {
    let k = kind;
    if (opts.type) {
      if (opts.type !== 'container' && opts.type !== 'image') throw new StatusError(1, `"${opts.type}" is not a valid value for --type`);
      k = opts.type;
    }
    await inspectObjects(clientFor(c), names, k, opts.format, !!opts.size);
  });
}

export function registerTop(parent: Command, name: string): Command {
  return subcommand(parent, name, 'CONTAINER [ps OPTIONS]', 'Display the running processes of a container')
    .argument('<container>').argument('[psArgs...]')
    .passThroughOptions()
    .action(async (container: string, psArgs: string[], _opts: unknown, cmd: Command) => {
      const res = await clientFor(cmd).json<{ Titles: string[]; Processes: string[][] }>(
        'GET', `/containers/${encodeURIComponent(container)}/top`, { query: { ps_args: psArgs.length ? psArgs.join(' ') : undefined } });
      const text = [res.Titles, ...(res.Processes ?? [])].map((r) => r.join('\t') + '\n').join('');
      await writeOut(tabwrite(text, { minwidth: 20, padding: 3 }));
    });
}
