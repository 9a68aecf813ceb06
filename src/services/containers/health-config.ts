// Docker's HEALTHCHECK configuration: merging the user's over the image's, checking it, and the probe's command and timings.
import { InvalidParameterError } from '../../errors';

/** Config.Healthcheck as the Engine API carries it; durations in nanoseconds, 0 meaning "inherit or default". */
export interface HealthConfig {
  /** [] inherit, ["NONE"] disable, ["CMD", prog, args…], ["CMD-SHELL", command]. */
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

const NS_PER_MS = 1_000_000;
const MINIMUM_NS = NS_PER_MS;
/** Docker's defaults: probe every 30 s, 30 s timeout, 3 retries, no start period, 5 s between probes while starting. */
export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000 };

/** moby's merge(): a user Healthcheck replaces the image's field by field; fields left empty or zero come from the image. */
export function mergeHealthcheck(user: unknown, image: unknown): HealthConfig | undefined {
  const u = asConfig(user);
  const i = asConfig(image);
  if (!u) return i;
  if (!i) return u;
  return {
    Test: u.Test?.length ? u.Test : i.Test,
    Interval: u.Interval || i.Interval,
    Timeout: u.Timeout || i.Timeout,
    StartPeriod: u.StartPeriod || i.StartPeriod,
    StartInterval: u.StartInterval || i.StartInterval,
    Retries: u.Retries || i.Retries,
  };
}

function asConfig(v: unknown): HealthConfig | undefined {
  return typeof v === 'object' && v !== null ? (v as HealthConfig) : undefined;
}

/** Docker's validateHealthCheck: durations of at least 1ms when set, retries not negative (400 otherwise). */
export function validateHealthcheck(hc: HealthConfig | undefined): void {
  if (!hc) return;
  if (hc.Test !== undefined && hc.Test !== null && (!Array.isArray(hc.Test) || hc.Test.some((t) => typeof t !== 'string'))) {
    throw new InvalidParameterError('Healthcheck Test must be an array of strings');
  }
  const durations: Array<[keyof HealthConfig, string]> = [['Interval', 'Interval'], ['Timeout', 'Timeout'], ['StartPeriod', 'StartPeriod'], ['StartInterval', 'StartInterval']];
  for (const [field, name] of durations) {
    const v = hc[field] ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidParameterError(`${name} in Healthcheck must be a number of nanoseconds`);
    if (v !== 0 && v < MINIMUM_NS) throw new InvalidParameterError(`${name} in Healthcheck cannot be less than 1ms`);
  }
  const retries = hc.Retries ?? 0;
  if (typeof retries !== 'number' || !Number.isInteger(retries)) throw new InvalidParameterError('Retries in Healthcheck must be an integer');
  if (retries < 0) throw new InvalidParameterError('Retries in Healthcheck cannot be negative');
}

/** What the monitor runs and how often; undefined when the container has no probe (none set, NONE, or an unknown type). */
export interface HealthProbeSpec {
  cmd: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs: number;
}

export function probeSpec(hc: unknown, shell: string[] | undefined): HealthProbeSpec | undefined {
  const c = asConfig(hc);
  const test = c?.Test;
  if (!c || !test?.length) return undefined;
  let cmd: string[];
  if (test[0] === 'CMD') cmd = test.slice(1);
  else if (test[0] === 'CMD-SHELL') cmd = [...(shell?.length ? shell : ['/bin/sh', '-c']), ...test.slice(1)];
  else return undefined;
  if (cmd.length === 0) return undefined;
  const ms = (ns: number | undefined, dflt: number) => (ns && ns > 0 ? ns / NS_PER_MS : dflt);
  return {
    cmd,
    intervalMs: ms(c.Interval, HEALTH_DEFAULTS.intervalMs),
    timeoutMs: ms(c.Timeout, HEALTH_DEFAULTS.timeoutMs),
    retries: c.Retries && c.Retries > 0 ? c.Retries : HEALTH_DEFAULTS.retries,
    startPeriodMs: ms(c.StartPeriod, HEALTH_DEFAULTS.startPeriodMs),
    startIntervalMs: ms(c.StartInterval, HEALTH_DEFAULTS.startIntervalMs),
  };
}
