// `berth exec`: run a command in a running container, streaming its output, exiting with its code.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { StatusError, clientFor, collect } from '../context';
import { pumpAttach } from '../streams/attach-io';
import { enterRawMode, forwardResize } from '../streams/terminal';

interface ExecFlags {
  detach?: boolean; interactive?: boolean; tty?: boolean; user?: string; workdir?: string;
  env?: string[]; privileged?: boolean; detachKeys?: string;
}

export function registerExec(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER COMMAND [ARG...]', 'Execute a command in a running container')
    .argument('<container>').argument('<command...>')
    .passThroughOptions()
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .option('-e, --env <env>', 'Set environment variables', collect)
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--privileged', 'Give extended privileges to the command')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <user>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <dir>', 'Working directory inside the container')
    .action(async (container: string, command: string[], flags: ExecFlags, cmd: Command) => {
      const client = clientFor(cmd);
      const tty = !!flags.tty;
      const stdin = !!flags.interactive && !flags.detach;
      const { Id } = await client.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(container)}/exec`, {
        body: {
          AttachStdin: stdin, AttachStdout: !flags.detach, AttachStderr: !flags.detach, Tty: tty, Cmd: command,
          Env: flags.env ?? [], User: flags.user ?? '', WorkingDir: flags.workdir ?? '', Privileged: !!flags.privileged,
          DetachKeys: flags.detachKeys,
        },
      });
      if (flags.detach) {
        (await client.request('POST', `/exec/${Id}/start`, { body: { Detach: true, Tty: tty } })).body.resume();
        return;
      }
      const conn = await client.hijack('POST', `/exec/${Id}/start`, { body: { Detach: false, Tty: tty } });
      const restore = tty && stdin ? enterRawMode() : () => {};
      const stopResize = tty ? forwardResize(client, `/exec/${Id}/resize`) : () => {};
      await pumpAttach(conn, { tty, stdin, detachKeys: flags.detachKeys });
      restore();
      stopResize();
      const info = await client.json<{ ExitCode: number | null }>('GET', `/exec/${Id}/json`);
      if (info.ExitCode) throw new StatusError(info.ExitCode);
    });
}
