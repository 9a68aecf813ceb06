// berthd's command line, named as dockerd's flags.
import { Command } from 'commander';

export interface DaemonOptions {
  host: string;
  dataRoot: string;
  execRoot: string;
  pidfile?: string;
  runtime: string;
  bridge: string;
  bip?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Registries (host[:port] or CIDR) reachable over plain HTTP. */
  insecureRegistries: string[];
}

export function parseFlags(argv: string[]): DaemonOptions {
  const cmd = new Command('berthd')
    .description('berth daemon: serves the Docker Engine API')
    .option('-H, --host <socket>', 'daemon socket to listen on', 'unix:///run/berth/berth.sock')
    .option('--data-root <dir>', 'root directory of persistent state', '/var/lib/berth')
    .option('--exec-root <dir>', 'root directory for execution state', '/run/berth')
    .option('-p, --pidfile <file>', 'path to use for the daemon PID file')
    .option('--runtime <path>', 'OCI runtime to use', 'runc')
    .option('-b, --bridge <name>', 'bridge interface for the default network', 'berth0')
    .option('--bip <cidr>', 'IP and prefix of the default bridge')
    .option('-l, --log-level <level>', 'log level (debug, info, warn, error)', 'info')
    .option('--insecure-registry <registry>', 'enable insecure registry communication (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .allowExcessArguments(false)
    .parse(argv, { from: 'node' });
  const o = cmd.opts();
  if (!['debug', 'info', 'warn', 'error', 'fatal'].includes(o.logLevel)) {
    cmd.error(`invalid log level: ${o.logLevel}`);
  }
  return {
    host: o.host, dataRoot: o.dataRoot, execRoot: o.execRoot, pidfile: o.pidfile, runtime: o.runtime,
    bridge: o.bridge, bip: o.bip, logLevel: o.logLevel === 'fatal' ? 'error' : o.logLevel,
    insecureRegistries: o.insecureRegistry,
  };
}
