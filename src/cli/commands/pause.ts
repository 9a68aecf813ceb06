// `berth pause` and `berth unpause`: freeze and thaw containers, printing each name back as docker does.
import type { Command } from 'commander';
import { subcommand } from '../command';
import { clientFor } from '../context';
import { reportEach } from './common';

function registerFreezeVerb(parent: Command, name: string, verb: 'pause' | 'unpause', description: string): Command {
  return subcommand(parent, name, 'CONTAINER [CONTAINER...]', description)
    .argument('<containers...>')
    .action(async (containers: string[], _opts: object, cmd: Command) => {
      const client = clientFor(cmd);
      await reportEach(containers, async (c) => {
        (await client.request('POST', `/containers/${encodeURIComponent(c)}/${verb}`)).body.resume();
        return c + '\n';
      });
    });
}

export const registerPause = (p: Command, n: string) => registerFreezeVerb(p, n, 'pause', 'Pause all processes within one or more containers');
export const registerUnpause = (p: Command, n: string) => registerFreezeVerb(p, n, 'unpause', 'Unpause all processes within one or more containers');
