// `berth build [OPTIONS] PATH | URL | -`: upload a context and follow the classic builder's output.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { jsonLines } from '../../client/engine-client';
import { buildContext } from '../build-context';
import { subcommand } from '../command';
import { StatusError, clientFor, collect, keyValues, writeErr, writeOut } from '../context';

interface BuildFlags {
  tag?: string[]; file?: string; buildArg?: string[]; target?: string; cache?: boolean; quiet?: boolean; label?: string[];
  iidfile?: string; network?: string; progress: string; pull?: boolean; rm: boolean; forceRm?: boolean; platform?: string;
  cacheFrom?: string[]; addHost?: string[]; shmSize?: string; memory?: string;
}

function bytes(text: string | undefined, flag: string): number | undefined {
  if (!text) return undefined;
  const { ramInBytes } = require('./container-config') as typeof import('./container-config');
  try {
    return ramInBytes(text);
  } catch {
    throw new StatusError(125, `invalid argument "${text}" for "${flag}" flag: invalid size: '${text}'`);
  }
}

export function registerBuild(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] PATH | URL | -', 'Build an image from a Dockerfile')
    .argument('<context>')
    .option('-t, --tag <name>', 'Name and optionally a tag in the "name:tag" format', collect)
    .option('-f, --file <path>', 'Name of the Dockerfile (Default is "PATH/Dockerfile")')
    .option('--build-arg <arg>', 'Set build-time variables', collect)
    .option('--target <stage>', 'Set the target build stage to build')
    .option('--no-cache', 'Do not use cache when building the image')
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--label <label>', 'Set metadata for an image', collect)
    .option('--iidfile <file>', 'Write the image ID to the file')
    .option('--network <mode>', 'Set the networking mode for the RUN instructions during build', 'default')
    .option('--progress <type>', 'Set type of progress output (auto, plain, tty)', 'auto')
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('--rm', 'Remove intermediate containers after a successful build', true)
    .option('--force-rm', 'Always remove intermediate containers')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .option('--cache-from <image>', 'Images to consider as cache sources', collect)
    .option('--add-host <host:ip>', 'Add a custom host-to-IP mapping (host:ip)', collect)
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('-m, --memory <bytes>', 'Memory limit')
    .action(async (source: string, opts: BuildFlags, cmd: Command) => {
      if (!['auto', 'plain', 'tty'].includes(opts.progress)) throw new StatusError(125, `invalid argument "${opts.progress}" for "--progress" flag: must be auto, plain or tty`);
      const labels = keyValues(opts.label);
      const ctx = await buildContext(source, opts.file);
      const res = await clientFor(cmd).request('POST', '/build', {
        query: {
          t: opts.tag, dockerfile: ctx.dockerfile, q: opts.quiet ? '1' : undefined, nocache: opts.cache === false ? '1' : undefined,
          pull: opts.pull ? '1' : undefined, rm: opts.rm ? '1' : '0', forcerm: opts.forceRm ? '1' : undefined,
          // A bare build arg takes its value from the environment (or stays unset), as docker does.
          buildargs: JSON.stringify(keyValues(opts.buildArg, (k) => process.env[k] ?? null)), labels: JSON.stringify(labels),
          target: opts.target, networkmode: opts.network, platform: opts.platform,
          cachefrom: opts.cacheFrom ? JSON.stringify(opts.cacheFrom) : undefined, extrahosts: opts.addHost?.join(','),
          shmsize: bytes(opts.shmSize, '--shm-size'), memory: bytes(opts.memory, '-m, --memory'),
        },
        headers: { 'Content-Type': 'application/x-tar' },
        body: ctx.body,
      });
      let id: string | undefined;
      for await (const msg of jsonLines<{ stream?: string; aux?: { ID?: string }; error?: string; errorDetail?: { code?: number; message?: string } }>(res.body)) {
        if (msg.error || msg.errorDetail) {
          const code = msg.errorDetail?.code;
          throw new StatusError(typeof code === 'number' && code > 0 ? code : 1, msg.errorDetail?.message ?? msg.error ?? '');
        }
        if (msg.aux?.ID) id = msg.aux.ID;
        else if (msg.stream && !opts.quiet) await writeOut(msg.stream);
        else if (msg.stream && /^\[Warning\]/.test(msg.stream)) await writeErr(msg.stream);
      }
      if (!id) throw new StatusError(1, 'the daemon ended the build without an image ID');
      if (opts.iidfile) writeFileSync(opts.iidfile, id);
      if (opts.quiet) await writeOut(`${id}\n`);
    });
}
