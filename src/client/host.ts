// Resolving which daemon to talk to: -H flag, BERTH_HOST, DOCKER_HOST, then the default socket.

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

/** Where to connect: a Unix socket path or a TCP host/port. `url` is the original spelling, for messages. */
export type DaemonAddress =
  | { kind: 'unix'; socketPath: string; url: string }
  | { kind: 'tcp'; host: string; port: number; url: string };

/** Pick the daemon URL the way docker does: the flag wins, then the environment, then the default. */
export function resolveHostUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.BERTH_HOST) return env.BERTH_HOST;
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  return DEFAULT_HOST;
}

/** Parse `unix:///path`, a bare `/path`, `tcp://host:port` or `http://host:port`. Throws on anything else. */
export function parseDaemonAddress(url: string): DaemonAddress {
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath) throw new Error(`invalid daemon address ${JSON.stringify(url)}: empty socket path`);
    return { kind: 'unix', socketPath, url };
  }
  if (url.startsWith('/')) return { kind: 'unix', socketPath: url, url: `unix://${url}` };
  const m = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (m) {
    const host = m[1].replace(/^\[|\]$/g, '');
    return { kind: 'tcp', host, port: m[2] ? Number(m[2]) : 2375, url };
  }
  throw new Error(`unsupported daemon address ${JSON.stringify(url)}: use unix:///path or tcp://host:port`);
}
