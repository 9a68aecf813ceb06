// The `berth` entry point: global flags, the command tree (docker's top-level and management forms), exit codes.
import type { Command } from 'commander';
import { StatusError, closeClient, prewarmClient, writeErr } from './context';
import { describeError } from './errors';

const BERTH_VERSION = '0.1.0';
type Registrar = (parent: Command, name: string) => unknown;
/* Command modules load on demand: start-up cost is node + commander + the one command in use. */
const attach = () => require('./commands/attach') as typeof import('./commands/attach');
const cp = () => require('./commands/cp') as typeof import('./commands/cp');
const build = () => require('./commands/build') as typeof import('./commands/build');
const images = () => require('./commands/images') as typeof import('./commands/images');
const exec = () => require('./commands/exec') as typeof import('./commands/exec');
const imp = () => require('./commands/import') as typeof import('./commands/import');
const inspect = () => require('./commands/inspect') as typeof import('./commands/inspect');
const life = () => require('./commands/lifecycle') as typeof import('./commands/lifecycle');
const logs = () => require('./commands/logs') as typeof import('./commands/logs');
const network = () => require('./commands/network') as typeof import('./commands/network');
const ps = () => require('./commands/ps') as typeof import('./commands/ps');
const run = () => require('./commands/run') as typeof import('./commands/run');
const pause = () => require('./commands/pause') as typeof import('./commands/pause');
const system = () => require('./commands/system') as typeof import('./commands/system');
const volume = () => require('./commands/volume') as typeof import('./commands/volume');
const dist = () => require('./commands/distribution') as typeof import('./commands/distribution');
const archive = () => require('./commands/archive') as typeof import('./commands/archive');

/** docker's container commands, under `container` and (mostly) at the top level too. */
const CONTAINER: Record<string, Registrar> = {
  run: (p, n) => run().registerRun(p, n), create: (p, n) => run().registerCreate(p, n),
  start: (p, n) => life().registerStart(p, n), stop: (p, n) => life().registerStop(p, n),
  restart: (p, n) => life().registerRestart(p, n), kill: (p, n) => life().registerKill(p, n),
  rm: (p, n) => life().registerRm(p, n), wait: (p, n) => life().registerWait(p, n),
  rename: (p, n) => life().registerRename(p, n), logs: (p, n) => logs().registerLogs(p, n),
  attach: (p, n) => attach().registerAttach(p, n), top: (p, n) => inspect().registerTop(p, n),
  exec: (p, n) => exec().registerExec(p, n),
  port: (p, n) => network().registerPort(p, n),
  cp: (p, n) => cp().registerCp(p, n),
  pause: (p, n) => pause().registerPause(p, n), unpause: (p, n) => pause().registerUnpause(p, n),
  update: (p, n) => (require('./commands/update') as typeof import('./commands/update')).registerUpdate(p, n),
  stats: (p, n) => (require('./commands/stats') as typeof import('./commands/stats')).registerStats(p, n),
};
const TOP_LEVEL: Record<string, Registrar> = {
  ...CONTAINER,
  ps: (p, n) => ps().registerPs(p, n), inspect: (p, n) => inspect().registerInspect(p, n),
  images: (p, n) => images().registerImages(p, n), rmi: (p, n) => images().registerRmi(p, n),
  tag: (p, n) => images().registerTag(p, n), import: (p, n) => imp().registerImport(p, n),
  history: (p, n) => images().registerHistory(p, n), version: (p, n) => system().registerVersion(p, n),
  info: (p, n) => system().registerInfo(p, n),
  pull: (p, n) => dist().registerPull(p, n), push: (p, n) => dist().registerPush(p, n),
  login: (p, n) => dist().registerLogin(p, n), logout: (p, n) => dist().registerLogout(p, n),
  save: (p, n) => archive().registerSave(p, n), load: (p, n) => archive().registerLoad(p, n),
  build: (p, n) => build().registerBuild(p, n),
};
const CONTAINER_GROUP: Record<string, Registrar> = {
  ...CONTAINER,
  ls: (p) => ps().registerPs(p, 'ls', ['ps', 'list']), rm: (p) => life().registerRm(p, 'rm', ['remove']),
  inspect: (p, n) => inspect().registerInspect(p, n, 'container'), prune: (p) => life().registerContainerPrune(p),
};
const CONTAINER_ALIASES: Record<string, string> = { ps: 'ls', list: 'ls', remove: 'rm' };
const IMAGE_GROUP: Record<string, Registrar> = {
  ls: (p) => images().registerImages(p, 'ls', ['list']), rm: (p) => images().registerRmi(p, 'rm').aliases(['remove']),
  tag: (p, n) => images().registerTag(p, n), import: (p, n) => imp().registerImport(p, n),
  history: (p, n) => images().registerHistory(p, n), inspect: (p, n) => inspect().registerInspect(p, n, 'image'),
  prune: (p) => images().registerImagePrune(p), busybox: (p, n) => imp().registerBusybox(p, n),
  pull: (p, n) => dist().registerPull(p, n), push: (p, n) => dist().registerPush(p, n),
  save: (p, n) => archive().registerSave(p, n), load: (p, n) => archive().registerLoad(p, n),
  build: (p, n) => build().registerBuild(p, n),
};
const IMAGE_ALIASES: Record<string, string> = { list: 'ls', remove: 'rm' };
const NETWORK_GROUP: Record<string, Registrar> = {
  create: (p) => network().registerNetworkCreate(p), ls: (p) => network().registerNetworkLs(p),
  inspect: (p) => network().registerNetworkInspect(p), rm: (p) => network().registerNetworkRm(p),
  prune: (p) => network().registerNetworkPrune(p), connect: (p) => network().registerNetworkConnect(p),
  disconnect: (p) => network().registerNetworkDisconnect(p),
};
const SYSTEM_GROUP: Record<string, Registrar> = {
  info: (p, n) => system().registerInfo(p, n),
  prune: (p) => (require('./commands/system-prune') as typeof import('./commands/system-prune')).registerSystemPrune(p),
  df: (p) => (require('./commands/system-df') as typeof import('./commands/system-df')).registerSystemDf(p),
};
const VOLUME_GROUP: Record<string, Registrar> = Object.fromEntries(
  ['create', 'ls', 'inspect', 'rm', 'prune'].map((n): [string, Registrar] => [n, (p) => volume().VOLUME_COMMANDS[n](p)]));
const GROUPS: Record<string, { description: string; commands: Record<string, Registrar>; aliases: Record<string, string> }> = {
  container: { description: 'Manage containers', commands: CONTAINER_GROUP, aliases: CONTAINER_ALIASES },
  image: { description: 'Manage images', commands: IMAGE_GROUP, aliases: IMAGE_ALIASES },
  system: { description: 'Manage berth', commands: SYSTEM_GROUP, aliases: {} },
  volume: { description: 'Manage volumes', commands: VOLUME_GROUP, aliases: { list: 'ls', remove: 'rm' } },
  network: { description: 'Manage networks', commands: NETWORK_GROUP, aliases: { list: 'ls', remove: 'rm' } },
};

/** The first words of argv that name commands (global options and their values skipped). */
function commandWords(args: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const a = args[i];
    if (a === '-H' || a === '--host' || a === '-l' || a === '--log-level') { if (words.length === 0) i++; continue; }
    if (a.startsWith('-')) { if (words.length) break; continue; }
    words.push(a);
  }
  return words;
}

function registerSome(parent: Command, table: Record<string, Registrar>, only: string | undefined): void {
  if (only !== undefined && table[only]) { table[only](parent, only); return; }
  for (const [name, reg] of Object.entries(table)) reg(parent, name);
}

/** Build the command tree; with `argv`, only the branch that argv names (for a fast start). */
export function buildProgram(argv?: string[]): Command {
  const { Command } = require('commander') as typeof import('commander');
  const { subcommand } = require('./command') as typeof import('./command');
  const program = new Command('berth')
    .usage('[OPTIONS] COMMAND')
    .description('A self-sufficient runtime for containers')
    .option('-H, --host <host>', 'Daemon socket to connect to')
    .option('-D, --debug', 'Enable debug mode')
    .option('-l, --log-level <level>', 'Set the logging level')
    .version(`berth version ${BERTH_VERSION}`, '-v, --version', 'Print version information and quit')
    .helpOption('--help', 'Print usage')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  const [first, second] = argv ? commandWords(argv.slice(2)) : [];
  const group = first !== undefined ? GROUPS[first] : undefined;
  if (!group || !first) registerSome(program, TOP_LEVEL, first !== undefined && TOP_LEVEL[first] ? first : undefined);
  for (const [name, g] of Object.entries(GROUPS)) {
    if (group && name !== first) continue;
    if (!group && first !== undefined && TOP_LEVEL[first]) continue;
    const cmd = subcommand(program, name, 'COMMAND', g.description);
    const sub = second !== undefined && group ? g.aliases[second] ?? second : undefined;
    registerSome(cmd, g.commands, sub);
  }
  return program;
}

/** Map any failure to docker's stderr text and exit status. */
function toStatus(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const { CommanderError } = require('commander') as typeof import('commander');
  const { translateCommanderError } = require('./command') as typeof import('./command');
  if (err instanceof CommanderError) return translateCommanderError(err) ?? new StatusError(0);
  return new StatusError(1, describeError(err));
}

/** The -H/--host value in argv, if given before the command. */
function hostFlag(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-H' || a === '--host') return args[i + 1];
    if (a.startsWith('--host=')) return a.slice(7);
    if (a.startsWith('-H') && a.length > 2) return a.slice(2).replace(/^=/, '');
    if (!a.startsWith('-')) return undefined;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  const words = commandWords(args);
  if (words.length && words[0] !== 'help') prewarmClient(hostFlag(args));
  const program = buildProgram(argv);
  if (!args.length || (args.length === 1 && (args[0] === 'container' || args[0] === 'image' || args[0] === 'system' || args[0] === 'volume'))) {
    const target = args.length ? program.commands.find((c) => c.name() === args[0])! : program;
    process.stdout.write(target.helpInformation());
    return 0;
  }
  let status: StatusError;
  try {
    await program.parseAsync(argv);
    status = new StatusError(0);
  } catch (err) {
    status = toStatus(err);
  }
  closeClient();
  if (status.message) await writeErr(status.message + '\n');
  return status.code;
}

/** A closed pipe on stdout (`berth logs x | head`) ends the command quietly, as it does for docker. */
function exitOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

if (require.main === module) {
  exitOnBrokenPipe(process.stdout);
  main(process.argv).then((code) => process.exit(code), (err) => {
    process.stderr.write(`${describeError(err)}\n`, () => process.exit(1));
  });
}
