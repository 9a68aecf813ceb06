// `berth import file|URL|- [REPOSITORY[:TAG]]`: send a root filesystem tar as a new image.
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { jsonLines, type EngineClient, type Query } from '../../client/engine-client';
import { subcommand } from '../command';
import { StatusError, clientFor, collect, writeOut } from '../context';
import { splitReference } from './images';

export function registerImport(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]', 'Import the contents from a tarball to create a filesystem image')
    .argument('<source>').argument('[reference]')
    .option('-c, --change <change>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <message>', 'Set commit message for imported image')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .action(async (source: string, reference: string | undefined, opts: { change?: string[]; message?: string; platform?: string }, cmd: Command) => {
      const ref = reference ? splitReference(reference) : undefined;
      const isUrl = /^https?:\/\//.test(source);
      let body: NodeJS.ReadableStream | undefined;
      if (source === '-') body = process.stdin;
      else if (!isUrl) {
        try { fs.accessSync(source, fs.constants.R_OK); } catch (err) {
          throw new StatusError(1, `open ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
        }
        body = fs.createReadStream(source);
      }
      await writeOut(await postImport(clientFor(cmd), body, {
        fromSrc: isUrl ? source : '-', repo: ref?.repo, tag: ref?.tag, message: opts.message,
        changes: opts.change, platform: opts.platform,
      }));
    });
}

/** POST /images/create with a tar body; returns the status lines (the new image ID) to print. */
export async function postImport(client: EngineClient, body: NodeJS.ReadableStream | undefined, query: Query): Promise<string> {
  const res = await client.request('POST', '/images/create', { query, headers: { 'Content-Type': 'application/x-tar' }, body });
  let out = '';
  for await (const msg of jsonLines<{ status?: string; error?: string; errorDetail?: { message?: string } }>(res.body)) {
    if (msg.error || msg.errorDetail) throw new StatusError(1, msg.errorDetail?.message ?? msg.error ?? '');
    if (msg.status && !/^(Downloading|Importing)/.test(msg.status)) out += msg.status + '\n';
  }
  return out;
}

/** `berth image busybox [REPOSITORY[:TAG]]`: the offline base image, made from the host's busybox-static. */
export function registerBusybox(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] [REPOSITORY[:TAG]]', "Make a busybox image from the host's busybox-static (no registry needed)")
    .argument('[reference]', 'name of the image', 'busybox:latest')
    .option('--binary <path>', 'busybox binary to use', '/bin/busybox')
    .action(async (reference: string, opts: { binary: string }, cmd: Command) => {
      if (!fs.existsSync(opts.binary)) throw new StatusError(1, `${opts.binary} not found: install busybox-static (apt-get install busybox-static)`);
      const { busyboxRootfsTar } = require('../../baseimage/busybox') as typeof import('../../baseimage/busybox');
      const ref = splitReference(reference);
      await writeOut(await postImport(clientFor(cmd), busyboxRootfsTar(opts.binary), {
        fromSrc: '-', repo: ref.repo, tag: ref.tag ?? 'latest', changes: ['CMD ["sh"]'], message: 'busybox from the host',
      }));
    });
}
