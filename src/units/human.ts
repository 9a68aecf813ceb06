// Human-readable durations and sizes exactly as Docker's go-units prints them ("Up 3 seconds", "4.26MB"), for the CLI and the daemon.

/** Go's %.<precision>g: shortest of fixed/exponent notation, trailing zeros removed. */
export function formatG(x: number, precision: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const [mant, expStr] = x.toExponential(precision - 1).split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= precision) {
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, precision - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function custom(size: number, base: number, units: string[], precision: number): string {
  let i = 0;
  while (size >= base && i < units.length - 1) { size /= base; i++; }
  return formatG(size, precision) + units[i];
}

/** go-units HumanSizeWithPrecision(size, 3): decimal units, "1.98MB", "136kB", "0B". */
export function humanSize(bytes: number, precision = 3): string {
  return custom(bytes, 1000, DECIMAL_UNITS, precision);
}

/** go-units BytesSize: binary units with 4 significant digits, "7.668GiB". */
export function bytesSize(bytes: number): string {
  return custom(bytes, 1024, BINARY_UNITS, 4);
}

/** go-units HumanDuration: "Less than a second", "3 seconds", "About a minute", "2 hours", "3 weeks". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3600000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3600000) / 24 / 365)} years`;
}

/** "<duration> ago" from a Unix time in seconds (as `Created` in list answers). */
export function ago(unixSeconds: number, now = Date.now()): string {
  return humanDuration(now - unixSeconds * 1000) + ' ago';
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Parse a Go duration ("1h30m", "10s", "1.5h", "300ms") into milliseconds; undefined if not one. */
export function parseGoDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of s.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * GO_UNITS[part[2]];
  }
  return m[1] === '-' ? -total : total;
}

/** A duration as Go prints one ("30s", "1m30s", "500ms"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${+ms.toFixed(6)}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = +(totalS % 60).toFixed(9);
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/**
 * docker's GetTimestamp for --since/--until: a Go duration means "that long before now"; an RFC 3339
 * date/time (or a date) is converted; a Unix timestamp ("1700000000[.nano]") passes through.
 */
export function apiTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const d = parseGoDuration(value);
  if (d !== undefined) return formatUnix(now - d);
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? value + 'T00:00:00Z' : value);
  if (Number.isNaN(t)) throw new Error(`invalid value for "since": failed to parse value as time or duration: "${value}"`);
  return formatUnix(t);
}

function formatUnix(ms: number): string {
  const secs = Math.floor(ms / 1000);
  const nanos = Math.round((ms - secs * 1000) * 1e6);
  return `${secs}.${String(nanos).padStart(9, '0')}`;
}
