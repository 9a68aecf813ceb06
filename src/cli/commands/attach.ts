// `berth attach` and `berth start -a`: hijack the container's streams, then exit with its status.
import type { Command } from 'commander';
import type { EngineClient } from '../../client/engine-client';
import { subcommand } from '../command';
import { StatusError, clientFor } from '../context';
import { pumpAttach } from '../streams/attach-io';
import { enterRawMode, forwardResize } from '../streams/terminal';

interface InspectLite { Id: string; State: { Running: boolean; Paused: boolean; Restarting: boolean }; Config: { Tty: boolean; OpenStdin: boolean } }

async function waitStatus(client: EngineClient, id: string): Promise<number> {
  const res = await client.json<{ StatusCode: number }>('POST', `/containers/${id}/wait`);
  return res.StatusCode;
}

/** Attach (stdin when asked and the container keeps it open), optionally start, pump, return the exit code. */
async function attachSession(client: EngineClient, name: string, opts: { stdin: boolean; start: boolean; detachKeys?: string; sigProxy: boolean }): Promise<number> {
  const c = await client.json<InspectLite>('GET', `/containers/${encodeURIComponent(name)}/json`);
  if (!opts.start) {
    if (!c.State.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
    if (c.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
    if (c.State.Restarting) throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
  }
  const stdin = opts.stdin && c.Config.OpenStdin;
  const conn = await client.hijack('POST', `/containers/${c.Id}/attach`, {
    query: { stream: '1', stdout: '1', stderr: '1', stdin: stdin ? '1' : undefined, detachKeys: opts.detachKeys },
  });
  const restore = c.Config.Tty && stdin ? enterRawMode() : () => {};
  if (opts.start) (await client.request('POST', `/containers/${c.Id}/start`)).body.resume();
  const stopResize = c.Config.Tty ? forwardResize(client, `/containers/${c.Id}/resize`) : () => {};
  const stopProxy = opts.sigProxy && !c.Config.Tty ? proxySignals(client, c.Id) : () => {};
  const how = await pumpAttach(conn, { tty: c.Config.Tty, stdin, detachKeys: opts.detachKeys });
  restore(); stopResize(); stopProxy();
  if (how === 'detached') return 0;
  return waitStatus(client, c.Id);
}

/** Forward SIGINT/SIGTERM/SIGHUP… to the container (docker's --sig-proxy). */
export function proxySignals(client: EngineClient, id: string): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  const handlers = signals.map((sig) => {
    const h = () => { client.request('POST', `/containers/${id}/kill`, { query: { signal: sig } }).then((r) => r.body.resume(), () => {}); };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => { for (const [sig, h] of handlers) process.off(sig, h); };
}

export function attachAndStart(client: EngineClient, name: string, stdin: boolean): Promise<number> {
  return attachSession(client, name, { stdin, start: true, sigProxy: true });
}

export function registerAttach(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER', 'Attach local standard input, output, and error streams to a running container')
    .argument('<container>')
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy [bool]', 'Proxy all received signals to the process', true)
    .action(async (container: string, opts: { detachKeys?: string; stdin?: boolean; sigProxy?: boolean | string }, cmd: Command) => {
      const code = await attachSession(clientFor(cmd), container, {
        stdin: opts.stdin !== false, start: false, detachKeys: opts.detachKeys,
        sigProxy: opts.sigProxy !== false && opts.sigProxy !== 'false',
      });
      throw new StatusError(code);
    });
}
