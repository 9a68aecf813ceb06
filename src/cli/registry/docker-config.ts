// Credentials in docker's ~/.docker/config.json format ("auths": {server: {auth: base64(user:pass)}}), shared with the docker CLI.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** docker's key for Docker Hub; other registries are keyed by host[:port]. */
export const DEFAULT_SERVER = 'https://index.docker.io/v1/';

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [k: string]: unknown;
}

export function configPath(): string {
  return path.join(process.env.DOCKER_CONFIG || path.join(homedir(), '.docker'), 'config.json');
}

function read(): ConfigFile {
  const p = configPath();
  if (!existsSync(p)) return {};
  return JSON.parse(readFileSync(p, 'utf8')) as ConfigFile;
}

/** Written whole to a temp file and renamed, mode 0600, keeping every other key docker put there. */
function write(cfg: ConfigFile): void {
  const p = configPath();
  mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 });
  renameSync(tmp, p);
}

/** The config key for a registry named by a reference's domain or a login argument. */
export function serverKey(server: string | undefined): string {
  if (!server) return DEFAULT_SERVER;
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io' ? DEFAULT_SERVER : host;
}

export function storeCredentials(server: string, username: string, password: string): void {
  const cfg = read();
  cfg.auths ??= {};
  cfg.auths[serverKey(server)] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  write(cfg);
}

/** Remove a server's credentials; false when there were none. */
export function eraseCredentials(server: string): boolean {
  const cfg = read();
  const key = serverKey(server);
  if (!cfg.auths?.[key]) return false;
  delete cfg.auths[key];
  write(cfg);
  return true;
}

/** The X-Registry-Auth value for a registry (base64url JSON AuthConfig), or undefined for anonymous. */
export function registryAuthHeader(domain: string): string | undefined {
  let cfg: ConfigFile;
  try { cfg = read(); } catch { return undefined; }
  const key = serverKey(domain);
  const entry = cfg.auths?.[key];
  if (!entry?.auth) return undefined;
  const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = plain.indexOf(':');
  return Buffer.from(JSON.stringify({ username: plain.slice(0, i), password: plain.slice(i + 1), serveraddress: key })).toString('base64url');
}
