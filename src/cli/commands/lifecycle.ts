// Container lifecycle commands that act on names and print them back: start, stop, restart, kill, rm, wait, rename, prune.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor, collect, filtersJson, writeOut } from '../context';
import { humanSize } from '../../units/human';
import { confirm, reportEach } from './common';

const id = (name: string) => `/containers/${encodeURIComponent(name)}`;

export function registerStart(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER [CONTAINER...]', 'Start one or more stopped containers')
    .argument('<containers...>')
    .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
    .option('-i, --interactive', "Attach container's STDIN")
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .action(async (containers: string[], opts: { attach?: boolean; interactive?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      if (opts.attach || opts.interactive) {
        if (containers.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
        const { attachAndStart } = await import('./attach');
        const code = await attachAndStart(client, containers[0], !!opts.interactive);
        throw new StatusError(code);
      }
      const failed: string[] = [];
      await reportEach(containers, async (c) => {
        try {
          (await client.request('POST', `${id(c)}/start`)).body.resume();
        } catch (err) { failed.push(c); throw err; }
        return c + '\n';
      }).catch((err: StatusError) => {
        throw new StatusError(err.code, `${err.message}\nError: failed to start containers: ${failed.join(', ')}`);
      });
    });
}

function registerStopLike(parent: Command, name: string, verb: 'stop' | 'restart', description: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER [CONTAINER...]', description)
    .argument('<containers...>')
    .option('-s, --signal <signal>', 'Signal to send to the container')
    .option('-t, --time <seconds>', 'Seconds to wait before killing the container')
    .action(async (containers: string[], opts: { signal?: string; time?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(containers, async (c) => {
        (await client.request('POST', `${id(c)}/${verb}`, { query: { t: opts.time, signal: opts.signal } })).body.resume();
        return c + '\n';
      });
    });
}

export const registerStop = (p: Command, n: string) => registerStopLike(p, n, 'stop', 'Stop one or more running containers');
export const registerRestart = (p: Command, n: string) => registerStopLike(p, n, 'restart', 'Restart one or more containers');

export function registerKill(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER [CONTAINER...]', 'Kill one or more running containers')
    .argument('<containers...>')
    .option('-s, --signal <signal>', 'Signal to send to the container')
    .action(async (containers: string[], opts: { signal?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(containers, async (c) => {
        (await client.request('POST', `${id(c)}/kill`, { query: { signal: opts.signal } })).body.resume();
        return c + '\n';
      });
    });
}

export function registerRm(parent: Command, name: string, aliases: string[] = []): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER [CONTAINER...]', 'Remove one or more containers')
    .aliases(aliases)
    .argument('<containers...>')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-l, --link', 'Remove the specified link')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .action(async (containers: string[], opts: { force?: boolean; link?: boolean; volumes?: boolean }, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(containers, async (c) => {
        const trimmed = c.replace(/^\//, '');
        (await client.request('DELETE', id(trimmed), {
          query: { force: opts.force ? '1' : undefined, v: opts.volumes ? '1' : undefined, link: opts.link ? '1' : undefined },
        })).body.resume();
        return c + '\n';
      });
    });
}

export function registerWait(parent: Command, name: string): Command {
  return subcommand(parent, name, 'CONTAINER [CONTAINER...]', 'Block until one or more containers stop, then print their exit codes')
    .argument('<containers...>')
    .action(async (containers: string[], _opts: unknown, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(containers, async (c) => {
        const res = await client.json<{ StatusCode: number }>('POST', `${id(c)}/wait`);
        return `${res.StatusCode}\n`;
      });
    });
}

export function registerRename(parent: Command, name: string): Command {
  return subcommand(parent, name, 'CONTAINER NEW_NAME', 'Rename a container')
    .argument('<container>').argument('<newName>')
    .action(async (container: string, newName: string, _opts: unknown, cmd: Command) => {
      const trimmed = newName.trim().replace(/^\//, '');
      if (!trimmed) throw new StatusError(1, 'Error: neither old nor new names may be empty');
      (await clientFor(cmd).request('POST', `${id(container.trim())}/rename`, { query: { name: trimmed } })).body.resume();
    });
}

export function registerContainerPrune(parent: Command): Command {
  return subcommand(parent, 'prune', '[OPTIONS]', 'Remove all stopped containers')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (opts: { filter?: string[]; force?: boolean }, cmd: Command) => {
      if (!opts.force && !(await confirm('WARNING! This will remove all stopped containers.'))) throw new StatusError(0);
      const res = await clientFor(cmd).json<{ ContainersDeleted?: string[] | null; SpaceReclaimed?: number }>(
        'POST', '/containers/prune', { query: { filters: filtersJson(opts.filter) } });
      let out = '';
      const deleted = res.ContainersDeleted ?? [];
      if (deleted.length) out += 'Deleted Containers:\n' + deleted.map((d) => d + '\n').join('') + '\n';
      out += `Total reclaimed space: ${humanSize(res.SpaceReclaimed ?? 0)}\n`;
      await writeOut(out);
    });
}
