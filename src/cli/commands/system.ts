// `berth version` and `berth info`: client facts plus the daemon's /version and /info.
import type { Command } from 'commander';
import { CLIENT_API_VERSION, EngineClient } from '../../client/engine-client';
import { subcommand } from '../command';
import { StatusError, clientFor, writeOut } from '../context';
import { describeError } from '../errors';
import { GoTemplate } from '../format/go-template';
import { preFormat } from '../format/formatter';
import { bytesSize } from '../../units/human';

export const BERTH_VERSION = '0.1.0'; // keep in step with main.ts

interface ServerVersion { Version?: string; ApiVersion?: string; MinAPIVersion?: string; GitCommit?: string; GoVersion?: string; Os?: string; Arch?: string; KernelVersion?: string; BuildTime?: string; Experimental?: boolean; Components?: { Name: string; Version: string; Details?: Record<string, string> }[] }

export function registerVersion(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS]', 'Show the berth version information')
    .option('-f, --format <format>', 'Format output using a custom template')
    .action(async (opts: { format?: string }, cmd: Command) => {
      const client: EngineClient = clientFor(cmd);
      let server: ServerVersion | undefined;
      let failure: unknown;
      let apiVersion = CLIENT_API_VERSION;
      try {
        apiVersion = await client.apiVersion();
        server = await client.json<ServerVersion>('GET', '/version');
      } catch (err) { failure = err; }
      const clientInfo = {
        Version: BERTH_VERSION, ApiVersion: apiVersion, DefaultAPIVersion: CLIENT_API_VERSION, GoVersion: process.version,
        GitCommit: '', BuildTime: '', Os: process.platform, Arch: process.arch === 'x64' ? 'amd64' : process.arch, Context: 'default',
      };
      if (opts.format) {
        await writeOut(new GoTemplate(preFormat(opts.format)).execute({ Client: clientInfo, Server: server ?? null }) + '\n');
      } else {
        const downgraded = apiVersion !== CLIENT_API_VERSION ? ` (downgraded from ${CLIENT_API_VERSION})` : '';
        let out = `Client:\n Version:           ${BERTH_VERSION}\n API version:       ${apiVersion}${downgraded}\n` +
          ` Node version:      ${process.version}\n OS/Arch:           ${clientInfo.Os}/${clientInfo.Arch}\n Context:           default\n`;
        if (server) {
          out += `\nServer:\n Engine:\n  Version:          ${server.Version ?? ''}\n` +
            `  API version:      ${server.ApiVersion ?? ''} (minimum version ${server.MinAPIVersion ?? ''})\n` +
            `  Go version:       ${server.GoVersion ?? ''}\n  Git commit:       ${server.GitCommit ?? ''}\n` +
            `  Built:            ${server.BuildTime ?? ''}\n  OS/Arch:          ${server.Os ?? ''}/${server.Arch ?? ''}\n` +
            `  Experimental:     ${server.Experimental ?? false}\n`;
          for (const c of server.Components ?? []) {
            if (c.Name === 'Engine') continue;
            out += ` ${c.Name}:\n  Version:          ${c.Version}\n`;
            for (const [k, v] of Object.entries(c.Details ?? {})) out += `  ${k}:${' '.repeat(Math.max(1, 17 - k.length))}${v}\n`;
          }
        }
        await writeOut(out);
      }
      if (failure) throw new StatusError(1, describeError(failure));
    });
}

type Info = Record<string, unknown> & {
  Containers?: number; ContainersRunning?: number; ContainersPaused?: number; ContainersStopped?: number; Images?: number;
  ServerVersion?: string; Driver?: string; CgroupDriver?: string; CgroupVersion?: string; KernelVersion?: string;
  OperatingSystem?: string; OSType?: string; Architecture?: string; NCPU?: number; MemTotal?: number; Name?: string;
  ID?: string; DockerRootDir?: string; Runtimes?: Record<string, unknown>; DefaultRuntime?: string; Warnings?: string[] | null;
};

export function registerInfo(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS]', 'Display system-wide information')
    .option('-f, --format <format>', 'Format output using a custom template')
    .action(async (opts: { format?: string }, cmd: Command) => {
      const info = await clientFor(cmd).json<Info>('GET', '/info');
      if (opts.format) {
        await writeOut(new GoTemplate(preFormat(opts.format)).execute(info) + '\n');
        return;
      }
      const lines = [
        'Client:', ` Version:    ${BERTH_VERSION}`, ' Context:    default', '',
        'Server:',
        ` Containers: ${info.Containers ?? 0}`, `  Running: ${info.ContainersRunning ?? 0}`, `  Paused: ${info.ContainersPaused ?? 0}`,
        `  Stopped: ${info.ContainersStopped ?? 0}`, ` Images: ${info.Images ?? 0}`, ` Server Version: ${info.ServerVersion ?? ''}`,
        ` Storage Driver: ${info.Driver ?? ''}`, ` Cgroup Driver: ${info.CgroupDriver ?? ''}`, ` Cgroup Version: ${info.CgroupVersion ?? ''}`,
        ` Runtimes: ${Object.keys(info.Runtimes ?? {}).sort().join(' ')}`, ` Default Runtime: ${info.DefaultRuntime ?? ''}`,
        ` Kernel Version: ${info.KernelVersion ?? ''}`, ` Operating System: ${info.OperatingSystem ?? ''}`, ` OSType: ${info.OSType ?? ''}`,
        ` Architecture: ${info.Architecture ?? ''}`, ` CPUs: ${info.NCPU ?? 0}`, ` Total Memory: ${bytesSize(info.MemTotal ?? 0)}`,
        ` Name: ${info.Name ?? ''}`, ` ID: ${info.ID ?? ''}`, ` Docker Root Dir: ${info.DockerRootDir ?? ''}`, '',
      ];
      await writeOut(lines.join('\n') + '\n');
      for (const w of info.Warnings ?? []) process.stderr.write(w + '\n');
    });
}
