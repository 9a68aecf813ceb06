// The `run`/`create` flags and their translation into the POST /containers/create body.
import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { StatusError, collect, keyValues } from '../context';
import { addNetworkFlags, networkingConfig, parsePublish, type NetworkFlags } from './network-flags';
import { addHealthFlags, healthcheckFromFlags, type HealthFlags } from './health-flags';

export interface CreateFlags extends NetworkFlags, HealthFlags {
  attach?: string[]; capAdd?: string[]; capDrop?: string[]; detach?: boolean; detachKeys?: string; dns?: string[];
  entrypoint?: string; env?: string[]; envFile?: string[]; expose?: string[]; hostname?: string; init?: boolean;
  interactive?: boolean; label?: string[]; memory?: string; mount?: string[]; name?: string; network?: string; net?: string;
  privileged?: boolean; publish?: string[]; publishAll?: boolean; readOnly?: boolean; restart?: string; rm?: boolean;
  stopSignal?: string; stopTimeout?: string; tty?: boolean; user?: string; volume?: string[]; workdir?: string;
  pull?: string; platform?: string; sigProxy?: boolean | string; tmpfs?: string[]; addHost?: string[]; shmSize?: string;
  ulimit?: string[]; pid?: string; ipc?: string; securityOpt?: string[]; sysctl?: string[]; groupAdd?: string[]; quiet?: boolean;
  volumesFrom?: string[];
}

/** Declare docker's run/create flags on `cmd` (run adds -d, --rm handling, --sig-proxy itself). */
export function addCreateFlags(cmd: Command): Command {
  return addHealthFlags(addNetworkFlags(cmd))
    .option('--add-host <host:ip>', 'Add a custom host-to-IP mapping (host:ip)', collect)
    .option('-a, --attach <stream>', 'Attach to STDIN, STDOUT or STDERR', collect)
    .option('--cap-add <cap>', 'Add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'Drop Linux capabilities', collect)
    .option('--dns <ip>', 'Set custom DNS servers', collect)
    .option('--entrypoint <command>', 'Overwrite the default ENTRYPOINT of the image')
    .option('-e, --env <env>', 'Set environment variables', collect)
    .option('--env-file <file>', 'Read in a file of environment variables', collect)
    .option('--expose <port>', 'Expose a port or a range of ports', collect)
    .option('--group-add <group>', 'Add additional groups to join', collect)
    .option('-h, --hostname <name>', 'Container host name')
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--ipc <mode>', 'IPC mode to use')
    .option('-l, --label <label>', 'Set meta data on a container', collect)
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect)
    .option('--name <name>', 'Assign a name to the container')
    .option('--network <network>', 'Connect a container to a network')
    .addOption(new Option('--net <network>').hideHelp())
    .option('--pid <mode>', 'PID namespace to use')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .option('--privileged', 'Give extended privileges to this container')
    .option('-p, --publish <port>', "Publish a container's port(s) to the host", collect)
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--pull <policy>', 'Pull image before running ("always", "missing", "never")', 'missing')
    .option('-q, --quiet', 'Suppress the pull output')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--restart <policy>', 'Restart policy to apply when a container exits', 'no')
    .option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits')
    .option('--security-opt <opt>', 'Security Options', collect)
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--stop-signal <signal>', 'Signal to stop the container')
    .option('--stop-timeout <seconds>', 'Timeout (in seconds) to stop a container')
    .option('--sysctl <sysctl>', 'Sysctl options', collect)
    .option('--tmpfs <mount>', 'Mount a tmpfs directory', collect)
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--ulimit <ulimit>', 'Ulimit options', collect)
    .option('-u, --user <user>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('-v, --volume <volume>', 'Bind mount a volume', collect)
    .option('--volumes-from <container>', 'Mount volumes from the specified container(s)', collect)
    .option('-w, --workdir <dir>', 'Working directory inside the container');
}

const bad = (msg: string) => new StatusError(125, `berth: ${msg}\n\nRun 'berth run --help' for more information`);

function envFromName(entry: string): string {
  if (entry.includes('=')) return entry;
  const v = process.env[entry];
  return v === undefined ? entry : `${entry}=${v}`;
}

function readEnvFile(file: string): string[] {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (err) { throw bad(`open ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`); }
  return text.split(/\r?\n/).map((l) => l.replace(/^\s+/, '')).filter((l) => l && !l.startsWith('#')).map(envFromName);
}

/** Parse a size like "512m", "1g", "100000" into bytes (docker's RAMInBytes). */
export function ramInBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(s.trim());
  if (!m) throw bad(`invalid size: '${s}'`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.floor(Number(m[1]) * mult[m[2].toLowerCase()]);
}

/**
 * Parse --cpus ("1.5", "0.25", "3/2") into NanoCPUs as docker's opts.NanoCPUs does: any rational number
 * whose value times 1e9 is whole. Throws a plain Error with docker's wording (the caller names the flag).
 */
export function nanoCpus(s: string): number {
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(s);
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  let num: bigint;
  let den: bigint;
  if (frac && BigInt(frac[2]) !== 0n) [num, den] = [BigInt(frac[1]), BigInt(frac[2])];
  else if (dec && (dec[2] || dec[3]) && Math.abs(Number(dec[4] ?? 0)) < 400) {
    const digits = BigInt(`${dec[1]}${dec[2] || '0'}${dec[3] ?? ''}`);
    const exp = Number(dec[4] ?? 0) - (dec[3] ?? '').length;
    [num, den] = exp >= 0 ? [digits * 10n ** BigInt(exp), 1n] : [digits, 10n ** BigInt(-exp)];
  } else throw new Error(`failed to parse ${s} as a rational number`);
  const nano = num * 1_000_000_000n;
  if (nano % den !== 0n) throw new Error('value is too precise');
  return Number(nano / den);
}

function parseMount(spec: string): Record<string, unknown> {
  const m: Record<string, unknown> = { Type: 'volume' };
  for (const field of spec.split(',')) {
    const i = field.indexOf('=');
    const key = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? undefined : field.slice(i + 1);
    switch (key) {
      case 'type': m.Type = val; break;
      case 'source': case 'src': m.Source = val; break;
      case 'target': case 'destination': case 'dst': m.Target = val; break;
      case 'readonly': case 'ro': m.ReadOnly = val === undefined || val === 'true' || val === '1'; break;
      case 'bind-propagation': m.BindOptions = { ...(m.BindOptions as object), Propagation: val }; break;
      case 'bind-recursive': break;
      case 'volume-nocopy': m.VolumeOptions = { ...(m.VolumeOptions as object), NoCopy: val === undefined || val === 'true' || val === '1' }; break;
      case 'volume-label': case 'volume-opt': case 'volume-driver': addVolumeOption(m, key, val, spec); break;
      case 'tmpfs-size': m.TmpfsOptions = { ...(m.TmpfsOptions as object), SizeBytes: ramInBytes(val ?? '0') }; break;
      case 'tmpfs-mode': m.TmpfsOptions = { ...(m.TmpfsOptions as object), Mode: parseInt(val ?? '0', 8) }; break;
      default: throw bad(`invalid argument "${spec}" for "--mount" flag: unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Target) throw bad(`invalid argument "${spec}" for "--mount" flag: target is required`);
  return m;
}

/** --mount's volume-label=k=v, volume-opt=k=v and volume-driver=name into VolumeOptions. */
function addVolumeOption(m: Record<string, unknown>, key: string, val: string | undefined, spec: string): void {
  const vo = { ...(m.VolumeOptions as Record<string, unknown> | undefined) };
  const driver = { ...(vo.DriverConfig as Record<string, unknown> | undefined) };
  if (key === 'volume-driver') driver.Name = val ?? '';
  else {
    const i = (val ?? '').indexOf('=');
    if (i <= 0 && key === 'volume-opt') throw bad(`invalid argument "${spec}" for "--mount" flag: invalid value for ${key}: ${val ?? ''}`);
    const [k, v] = i < 0 ? [val ?? '', ''] : [val!.slice(0, i), val!.slice(i + 1)];
    if (key === 'volume-label') vo.Labels = { ...(vo.Labels as object), [k]: v };
    else driver.Options = { ...(driver.Options as object), [k]: v };
  }
  if (Object.keys(driver).length) vo.DriverConfig = driver;
  m.VolumeOptions = vo;
}

function parseRestart(policy: string): { Name: string; MaximumRetryCount: number } {
  const [name, count] = policy.split(':');
  if (!['no', 'always', 'unless-stopped', 'on-failure', ''].includes(name)) throw bad(`invalid restart policy: ${name}`);
  if (count !== undefined && name !== 'on-failure') throw bad(`invalid restart policy format: maximum retry count can only be used with 'on-failure'`);
  return { Name: name === 'no' ? 'no' : name, MaximumRetryCount: count ? Number(count) : 0 };
}

/** Build the create body (Config + HostConfig + NetworkingConfig) from flags, image and command. */
export function buildCreateBody(flags: CreateFlags, image: string, command: string[]): Record<string, unknown> {
  if (flags.rm && flags.restart && flags.restart !== 'no') throw bad('conflicting options: cannot specify both --restart and --rm');
  const attach = new Set((flags.attach ?? []).map((s) => s.toLowerCase()));
  for (const a of attach) if (!['stdin', 'stdout', 'stderr'].includes(a)) throw bad(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  if (flags.detach && attach.size) throw bad('Conflicting options: -a and -d');
  const detached = !!flags.detach;
  const attachStdin = !detached && (attach.size ? attach.has('stdin') : !!flags.interactive);
  const attachStdout = !detached && (attach.size ? attach.has('stdout') : true);
  const attachStderr = !detached && (attach.size ? attach.has('stderr') : true);
  const env = [...(flags.envFile ?? []).flatMap(readEnvFile), ...(flags.env ?? []).map(envFromName)];

  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of flags.volume ?? []) {
    const parts = v.split(':');
    if (parts.length === 1) volumes[parts[0]] = {};
    else binds.push(v);
  }
  const exposed: Record<string, object> = {};
  const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const e of flags.expose ?? []) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  for (const { key, binding } of (flags.publish ?? []).flatMap(parsePublish)) {
    exposed[key] = {};
    (portBindings[key] ??= []).push(binding);
  }
  const tmpfs: Record<string, string> = {};
  for (const t of flags.tmpfs ?? []) { const i = t.indexOf(':'); tmpfs[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1); }
  const stopTimeout = flags.stopTimeout === undefined ? undefined : Number(flags.stopTimeout);
  if (stopTimeout !== undefined && !Number.isInteger(stopTimeout)) throw bad(`invalid argument "${flags.stopTimeout}" for "--stop-timeout" flag: strconv.ParseInt: parsing "${flags.stopTimeout}": invalid syntax`);

  const config: Record<string, unknown> = {
    Hostname: flags.hostname ?? '',
    User: flags.user ?? '',
    AttachStdin: attachStdin, AttachStdout: attachStdout, AttachStderr: attachStderr,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Tty: !!flags.tty,
    OpenStdin: !!flags.interactive,
    StdinOnce: !!flags.interactive && attachStdin,
    Env: env,
    Cmd: command.length ? command : null,
    Image: image,
    Volumes: Object.keys(volumes).length ? volumes : undefined,
    WorkingDir: flags.workdir ?? '',
    Entrypoint: flags.entrypoint === undefined ? null : flags.entrypoint === '' ? [''] : [flags.entrypoint],
    Labels: keyValues(flags.label),
    StopSignal: flags.stopSignal,
    StopTimeout: stopTimeout,
    Healthcheck: healthcheckFromFlags(flags),
  };
  const hostConfig: Record<string, unknown> = {
    Binds: binds.length ? binds : null,
    NetworkMode: flags.network ?? flags.net ?? 'default',
    PortBindings: portBindings,
    RestartPolicy: parseRestart(flags.restart ?? 'no'),
    AutoRemove: !!flags.rm,
    Mounts: (flags.mount ?? []).map(parseMount),
    VolumesFrom: flags.volumesFrom ?? null,
    CapAdd: flags.capAdd ?? null,
    CapDrop: flags.capDrop ?? null,
    Dns: flags.dns ?? [],
    ExtraHosts: flags.addHost ?? null,
    GroupAdd: flags.groupAdd ?? null,
    IpcMode: flags.ipc ?? '',
    PidMode: flags.pid ?? '',
    Privileged: !!flags.privileged,
    PublishAllPorts: !!flags.publishAll,
    ReadonlyRootfs: !!flags.readOnly,
    SecurityOpt: flags.securityOpt ?? null,
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    Sysctls: flags.sysctl ? keyValues(flags.sysctl) : undefined,
    Init: flags.init ? true : undefined,
    Memory: flags.memory ? ramInBytes(flags.memory) : 0,
    ShmSize: flags.shmSize ? ramInBytes(flags.shmSize) : undefined,
    Ulimits: (flags.ulimit ?? []).map((u) => {
      const [name, limits] = u.split('=');
      const [soft, hard] = (limits ?? '').split(':');
      return { Name: name, Soft: Number(soft), Hard: Number(hard ?? soft) };
    }),
  };
  return { ...config, HostConfig: hostConfig, NetworkingConfig: networkingConfig(flags, hostConfig) };
}
