// `berth run` and `berth create`: create (pulling on "No such image"), attach, wait, start, exit with the status.
import type { Command } from 'commander';
import { ApiError } from '../../client/errors';
import type { EngineClient } from '../../client/engine-client';
import { jsonLines } from '../../client/engine-client';
import { subcommand } from '../command';
import { StatusError, clientFor, writeErr, writeOut } from '../context';
import { describeError } from '../errors';
import { pumpAttach } from '../streams/attach-io';
import { enterRawMode, forwardResize } from '../streams/terminal';
import { proxySignals } from './attach';
import { CreateFlags, addCreateFlags, buildCreateBody } from './container-config';

interface RunFlags extends CreateFlags { sigProxy?: boolean | string }

/** How long `run` waits for the wait request's response headers before starting anyway. */
const WAIT_REGISTER_TIMEOUT_MS = 1000;

/** docker's report for run/create failures: "berth: <message>" + help hint, exit 125 unless told otherwise. */
function runFailure(verb: string, err: unknown, code = 125): StatusError {
  if (err instanceof StatusError) return err;
  return new StatusError(code, `berth: ${describeError(err)}\n\nRun 'berth ${verb} --help' for more information`);
}

/** docker's runStartContainerErr: 127 for a missing executable, 126 for one that cannot be run, else 125. */
export function startErrorStatus(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

/** "busybox" → "busybox:latest", as docker names an image it is about to pull. */
export function familiarTagged(image: string): string {
  const name = image.replace(/^docker\.io\/(library\/)?/, '');
  if (name.includes('@')) return name;
  const slash = name.lastIndexOf('/');
  return name.lastIndexOf(':') > slash ? name : `${name}:latest`;
}

async function pullImage(client: EngineClient, image: string, quiet: boolean): Promise<void> {
  const tagged = familiarTagged(image);
  const at = tagged.indexOf('@');
  const colon = tagged.lastIndexOf(':');
  const [fromImage, tag] = at >= 0 ? [tagged.slice(0, at), tagged.slice(at + 1)] : [tagged.slice(0, colon), tagged.slice(colon + 1)];
  const res = await client.request('POST', '/images/create', { query: { fromImage, tag } });
  for await (const msg of jsonLines<{ status?: string; id?: string; progress?: string; error?: string; errorDetail?: { message?: string } }>(res.body)) {
    if (msg.error || msg.errorDetail) throw new Error(msg.errorDetail?.message ?? msg.error);
    if (quiet || !msg.status || msg.progress) continue;
    await writeErr(msg.id ? `${msg.id}: ${msg.status}\n` : `${msg.status}\n`);
  }
}

async function createContainer(client: EngineClient, flags: CreateFlags, image: string, command: string[]): Promise<string> {
  const body = buildCreateBody(flags, image, command);
  const query = { name: flags.name, platform: flags.platform };
  if (flags.pull === 'always') await pullImage(client, image, !!flags.quiet);
  let res: { Id: string; Warnings?: string[] | null };
  try {
    res = await client.json('POST', '/containers/create', { query, body });
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404) || flags.pull === 'never') throw err;
    await writeErr(`Unable to find image '${familiarTagged(image)}' locally\n`);
    await pullImage(client, image, !!flags.quiet);
    res = await client.json('POST', '/containers/create', { query, body });
  }
  for (const w of res.Warnings ?? []) await writeErr(`WARNING: ${w}\n`);
  return res.Id;
}

async function runContainer(client: EngineClient, flags: RunFlags, image: string, command: string[]): Promise<number> {
  if (flags.tty && flags.interactive && !process.stdin.isTTY && !flags.detach) {
    throw new StatusError(1, 'the input device is not a TTY');
  }
  const body = buildCreateBody(flags, image, command); // validate flags before talking to the daemon
  let id: string;
  try {
    id = await createContainer(client, flags, image, command);
  } catch (err) {
    throw runFailure('run', err);
  }
  if (flags.detach) {
    await writeOut(id + '\n'); // docker prints the ID before starting
    try {
      (await client.request('POST', `/containers/${id}/start`)).body.resume();
    } catch (err) {
      throw runFailure('run', err, err instanceof ApiError ? startErrorStatus(err.daemonMessage) : 125);
    }
    return 0;
  }
  const tty = !!flags.tty;
  const attachStdin = body.AttachStdin === true;
  const attaching = attachStdin || body.AttachStdout === true || body.AttachStderr === true;
  // Register the wait before starting, so a fast exit (or --rm removal) cannot be missed; it travels beside the attach.
  const waitReq = client.request('POST', `/containers/${id}/wait`, { query: { condition: flags.rm ? 'removed' : 'next-exit' } });
  waitReq.catch(() => {});
  const conn = attaching ? await client.hijack('POST', `/containers/${id}/attach`, {
    query: { stream: '1', stdin: attachStdin ? '1' : undefined, stdout: body.AttachStdout ? '1' : undefined, stderr: body.AttachStderr ? '1' : undefined, detachKeys: flags.detachKeys },
  }).catch((err) => { throw runFailure('run', err); }) : undefined;

  await Promise.race([waitReq.catch(() => undefined), new Promise((r) => setTimeout(r, WAIT_REGISTER_TIMEOUT_MS).unref())]);
  const status = waitReq.then(async (res) => {
    let text = '';
    for await (const c of res.body) text += c;
    const parsed = JSON.parse(text) as { StatusCode: number; Error?: { Message?: string } | null };
    if (parsed.Error?.Message) { await writeErr(`berth: ${parsed.Error.Message}\n`); return 125; }
    return parsed.StatusCode;
  }, async (err) => { await writeErr(`berth: ${describeError(err)}\n`); return 125; });

  const restore = tty && attachStdin ? enterRawMode() : () => {};
  try {
    (await client.request('POST', `/containers/${id}/start`)).body.resume();
  } catch (err) {
    restore();
    conn?.socket.destroy();
    await writeErr(`berth: ${describeError(err)}\n\nRun 'berth run --help' for more information\n`);
    if (flags.rm) await Promise.race([status, new Promise((r) => setTimeout(r, 5000).unref())]);
    throw new StatusError(err instanceof ApiError ? startErrorStatus(err.daemonMessage) : 125);
  }
  const stopResize = tty ? forwardResize(client, `/containers/${id}/resize`) : () => {};
  const sigProxy = flags.sigProxy !== false && flags.sigProxy !== 'false';
  const stopProxy = !tty && sigProxy ? proxySignals(client, id) : () => {};
  if (conn) {
    const how = await pumpAttach(conn, { tty, stdin: attachStdin, detachKeys: flags.detachKeys });
    restore(); stopResize(); stopProxy();
    if (how === 'detached') return 0;
  }
  return status;
}

export function registerRun(parent: Command, name: string): Command {
  const cmd = subcommand(parent, name, '[OPTIONS] IMAGE [COMMAND] [ARG...]', 'Create and run a new container from an image')
    .argument('<image>').argument('[command...]')
    .passThroughOptions()
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .option('--sig-proxy [bool]', 'Proxy received signals to the process', true);
  return addCreateFlags(cmd).action(async (image: string, command: string[], flags: RunFlags, c: Command) => {
    const code = await runContainer(clientFor(c), flags, image, command);
    throw new StatusError(code);
  });
}

export function registerCreate(parent: Command, name: string): Command {
  const cmd = subcommand(parent, name, '[OPTIONS] IMAGE [COMMAND] [ARG...]', 'Create a new container')
    .argument('<image>').argument('[command...]')
    .passThroughOptions();
  return addCreateFlags(cmd).action(async (image: string, command: string[], flags: CreateFlags, c: Command) => {
    let id: string;
    try {
      buildCreateBody(flags, image, command);
      id = await createContainer(clientFor(c), flags, image, command);
    } catch (err) {
      // docker create reports plainly and exits 1, unlike run.
      if (err instanceof StatusError) throw err;
      throw new StatusError(1, describeError(err));
    }
    await writeOut(id + '\n');
  });
}
