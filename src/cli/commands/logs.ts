// `berth logs`: fetch or follow a container's log, demultiplexed unless the container has a TTY.
import type { Command } from 'commander';
import { StdcopyDemuxer } from '../../client/stdcopy';
import { subcommand } from '../command';
import { StatusError, clientFor } from '../context';
import { apiTimestamp } from '../../units/human';

export function registerLogs(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER', 'Fetch the logs of a container')
    .argument('<container>')
    .option('--details', 'Show extra details provided to logs')
    .option('-f, --follow', 'Follow log output')
    .option('--since <since>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-n, --tail <n>', 'Number of lines to show from the end of the logs', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--until <until>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .action(async (container: string, opts: { details?: boolean; follow?: boolean; since?: string; tail: string; timestamps?: boolean; until?: string }, cmd: Command) => {
      const client = clientFor(cmd);
      const c = await client.json<{ Id: string; Config: { Tty: boolean } }>('GET', `/containers/${encodeURIComponent(container)}/json`);
      let since: string | undefined;
      let until: string | undefined;
      try {
        since = opts.since ? apiTimestamp(opts.since) : undefined;
        until = opts.until ? apiTimestamp(opts.until) : undefined;
      } catch (err) {
        throw new StatusError(1, (err as Error).message);
      }
      const res = await client.request('GET', `/containers/${c.Id}/logs`, {
        query: {
          stdout: '1', stderr: '1', follow: opts.follow ? '1' : undefined, tail: opts.tail,
          timestamps: opts.timestamps ? '1' : undefined, since, until, details: opts.details ? '1' : undefined,
        },
      });
      const body = res.body;
      const write = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
        if (!stream.write(chunk)) { body.pause(); stream.once('drain', () => body.resume()); }
      };
      const demux = c.Config.Tty ? undefined : new StdcopyDemuxer({ stdout: write(process.stdout), stderr: write(process.stderr) });
      await new Promise<void>((resolve, reject) => {
        body.on('data', (chunk: Buffer) => (demux ? demux.push(chunk) : write(process.stdout)(chunk)));
        body.on('end', resolve);
        body.on('error', reject);
      });
    });
}
