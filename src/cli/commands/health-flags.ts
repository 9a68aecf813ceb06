// docker's --health-* and --no-healthcheck flags for run/create, and the Config.Healthcheck they make.
import type { Command } from 'commander';
import { StatusError } from '../context';
import { parseGoDuration } from '../../units/human';

export interface HealthFlags {
  healthCmd?: string; healthInterval?: string; healthTimeout?: string; healthRetries?: string;
  healthStartPeriod?: string; healthStartInterval?: string; healthcheck?: boolean;
}

export function addHealthFlags(cmd: Command): Command {
  return cmd
    .option('--health-cmd <string>', 'Command to run to check health')
    .option('--health-interval <duration>', 'Time between running the check (ms|s|m|h) (default 0s)')
    .option('--health-retries <int>', 'Consecutive failures needed to report unhealthy')
    .option('--health-start-interval <duration>', 'Time between running the check during the start period (ms|s|m|h) (default 0s)')
    .option('--health-start-period <duration>', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)')
    .option('--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)')
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK');
}

const bad = (msg: string) => new StatusError(125, `berth: ${msg}\n\nRun 'berth run --help' for more information`);

function nanos(flag: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const ms = parseGoDuration(value);
  if (ms === undefined) throw bad(`invalid argument "${value}" for "--${flag}" flag: time: invalid duration "${value}"`);
  if (ms < 0) throw bad(`--${flag} cannot be negative`);
  return Math.round(ms * 1e6);
}

/** Config.Healthcheck from the flags: ["NONE"] for --no-healthcheck, else the set fields; undefined when none is given. */
export function healthcheckFromFlags(f: HealthFlags): Record<string, unknown> | undefined {
  const retries = f.healthRetries === undefined ? 0 : Number(f.healthRetries);
  if (!Number.isInteger(retries)) throw bad(`invalid argument "${f.healthRetries}" for "--health-retries" flag: strconv.ParseInt: parsing "${f.healthRetries}": invalid syntax`);
  const any = f.healthCmd !== undefined || f.healthInterval !== undefined || f.healthTimeout !== undefined || f.healthRetries !== undefined
    || f.healthStartPeriod !== undefined || f.healthStartInterval !== undefined;
  // commander's --no-healthcheck sets healthcheck=false.
  if (f.healthcheck === false) {
    if (any) throw bad('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  const interval = nanos('health-interval', f.healthInterval);
  const timeout = nanos('health-timeout', f.healthTimeout);
  if (retries < 0) throw bad('--health-retries cannot be negative');
  const startPeriod = nanos('health-start-period', f.healthStartPeriod);
  const startInterval = nanos('health-start-interval', f.healthStartInterval);
  return {
    Test: f.healthCmd ? ['CMD-SHELL', f.healthCmd] : undefined,
    Interval: interval, Timeout: timeout, StartPeriod: startPeriod, StartInterval: startInterval, Retries: retries,
  };
}
