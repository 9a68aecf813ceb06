// Building commander commands that fail like docker's: flag errors exit 125, argument-count errors exit 1.
import { Command, CommanderError } from 'commander';
import { StatusError } from './context';

let failedCommand: Command | undefined;

/** Add subcommand `name` to `parent` with docker-style error reporting; `usage` is docker's usage line. */
export function subcommand(parent: Command, name: string, usage: string, description: string): Command {
  const cmd = parent.command(name).usage(usage).description(description).helpOption('--help', 'Print usage');
  cmd.exitOverride();
  cmd.configureOutput({ outputError: () => { failedCommand = cmd; } });
  return cmd;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** docker's failure for a flag value that commander accepted but the command cannot use (exit 125, usage after). */
export function flagError(cmd: Command, message: string): StatusError {
  const path = commandPath(cmd);
  return new StatusError(125, `${message}\n\nUsage:  ${path} ${cmd.usage()}\n\nRun '${path} --help' for more information`);
}

/** Turn a commander failure into docker's wording and exit status. Returns undefined for help/version. */
export function translateCommanderError(err: CommanderError): StatusError | undefined {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') {
    return new StatusError(0);
  }
  const cmd = failedCommand;
  const path = cmd ? commandPath(cmd) : 'berth';
  const usage = cmd ? `Usage:  ${path} ${cmd.usage()}` : 'Usage:  berth [OPTIONS] COMMAND';
  const m = /'([^']*)'/.exec(err.message);
  const what = m?.[1] ?? '';
  switch (err.code) {
    case 'commander.unknownOption': {
      const flag = what.startsWith('--') ? `unknown flag: ${what}` : `unknown shorthand flag: '${what.slice(1, 2)}' in ${what}`;
      return new StatusError(125, `${flag}\n\n${usage}\n\nRun '${path} --help' for more information`);
    }
    case 'commander.optionMissingArgument': {
      const spec = (/'([^']*)'/.exec(err.message)?.[1] ?? '').split(/[ ,]+/);
      const typed = process.argv[process.argv.length - 1];
      const flag = /^-[^-]$/.test(typed) && spec.includes(typed) ? `'${typed.slice(1)}' in ${typed}` : spec.find((f) => f.startsWith('--')) ?? spec[0];
      return new StatusError(125, `flag needs an argument: ${flag}\n\n${usage}\n\nRun '${path} --help' for more information`);
    }
    case 'commander.invalidArgument':
      return new StatusError(125, `${err.message.replace(/^error: /, '')}\n\n${usage}\n\nRun '${path} --help' for more information`);
    case 'commander.missingArgument':
    case 'commander.excessArguments': {
      const { words, hint } = argumentCountWording(cmd, err.code === 'commander.missingArgument');
      return new StatusError(1, `berth: '${path}' ${words}\n\n${usage}\n\n${hint} '${path} --help' for more information`);
    }
    case 'commander.unknownCommand':
      return new StatusError(1, `berth: unknown command: berth ${what}\n\nRun 'berth --help' for more information`);
    default:
      return new StatusError(125, err.message.replace(/^error: /, ''));
  }
}

/** docker's cobra wording for a wrong argument count (NoArgs/ExactArgs say "Run", Min/MaxArgs "See"). */
function argumentCountWording(cmd: Command | undefined, tooFew: boolean): { words: string; hint: string } {
  const args = cmd?.registeredArguments ?? [];
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  const required = args.filter((a) => a.required).length;
  const exact = args.every((a) => a.required && !a.variadic);
  if (!args.length) return { words: 'accepts no arguments', hint: 'Run' };
  if (exact) return { words: `requires ${plural(required)}`, hint: 'Run' };
  if (tooFew) return { words: `requires at least ${plural(required)}`, hint: 'See' };
  return { words: `requires at most ${plural(args.length)}`, hint: 'See' };
}
