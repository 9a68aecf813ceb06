// `berth save` and `berth load`: images to and from a tar archive (docker-archive / OCI layout) through the daemon.
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor } from '../context';
import { displayProgress } from '../streams/progress';

export function registerSave(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] IMAGE [IMAGE...]', 'Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('<images...>')
    .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
    .action(async (images: string[], opts: { output?: string }, cmd: Command) => {
      if (!opts.output && process.stdout.isTTY) throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const res = await clientFor(cmd).request('GET', '/images/get', { query: { names: images } });
      if (!opts.output) {
        await pipeline(res.body, process.stdout);
        return;
      }
      // Written beside the target and renamed, so a failed save leaves no partial file under the name.
      const tmp = `${opts.output}.${process.pid}.tmp`;
      try {
        await pipeline(res.body, fs.createWriteStream(tmp, { mode: 0o600 }));
        fs.renameSync(tmp, opts.output);
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw new StatusError(1, `failed to save image: ${(err as Error).message}`);
      }
    });
}

export function registerLoad(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS]', 'Load an image from a tar archive or STDIN')
    .option('-i, --input <file>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (opts: { input?: string; quiet?: boolean }, cmd: Command) => {
      if (!opts.input && process.stdin.isTTY) throw new StatusError(1, 'requested load from stdin, but stdin is empty');
      let body: NodeJS.ReadableStream = process.stdin;
      if (opts.input) {
        try { fs.accessSync(opts.input, fs.constants.R_OK); } catch {
          throw new StatusError(1, `open ${opts.input}: no such file or directory`);
        }
        body = fs.createReadStream(opts.input);
      }
      const res = await clientFor(cmd).request('POST', '/images/load', {
        query: { quiet: opts.quiet ? '1' : undefined }, headers: { 'Content-Type': 'application/x-tar' }, body: body as never,
      });
      await displayProgress(res.body, process.stdout);
    });
}
