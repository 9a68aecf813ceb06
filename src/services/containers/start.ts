// Starting a container: mount its root, network, /etc files, user and workdir, then conmon + runc.
import { mkdir, readFile, writeFile, chown } from 'node:fs/promises';
import path from 'node:path';
import { BerthError, ConflictError, InvalidParameterError, NotModifiedError, SystemError } from '../../errors';
import { cleanComponents, resolveInRoot } from '../../archive/securejoin';
import type { SpecInput } from '../../runtime';
import type { ContainerContext } from './context';
import { hostsFile, resolvConf } from './etc-files';
import { removeContainerFiles } from './remove';
import type { NetworkSandbox } from './network';
import { setExited, setRunning, type ContainerRecord } from './record';
import { resolveUser } from './user';
import { linuxResources } from './resources';
import { releaseMounts, specMounts } from './mounts';
import { securitySpec } from './security';
import { volatileMounts } from './volatile-rootfs';

/** `--init`: Debian's static tini, bound where Docker puts its init. */
const INIT_BINARY = '/usr/bin/tini-static';
const INIT_PATH = '/sbin/docker-init';

export async function startContainer(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  if (r.state.Paused) throw new ConflictError('cannot start a paused container, try unpause instead');
  if (r.state.Running) throw new NotModifiedError();
  if (r.state.Status === 'removing' || r.state.Dead) throw new InvalidParameterError(`container is marked for removal and cannot be started`);
  r.manuallyStopped = false;
  const { deps } = ctx;
  let mounted = false;
  let sandbox: NetworkSandbox | undefined;
  let created = false;
  try {
    await mkdir(ctx.containerDir(r.id), { recursive: true });
    const rootfs = await deps.snapshots.mounts(r.id);
    await deps.host.mount(r.hostConfig.AutoRemove || r.volatileRootfs ? await volatileMounts(rootfs) : rootfs, r.rootfsPath);
    mounted = true;
    const read = async (p: string) => readFile(await resolveInRoot(r.rootfsPath, cleanComponents(p)), 'utf8').catch(() => undefined);
    const user = await resolveUser(r.config.User, read);
    const cwd = r.config.WorkingDir || '/';
    const cwdHost = await resolveInRoot(r.rootfsPath, cleanComponents(cwd));
    await mkdir(cwdHost, { recursive: true }).catch((err) => {
      if (!r.hostConfig.ReadonlyRootfs) throw err;
    });
    sandbox = await deps.networks.attach(r);
    await writeEtcFiles(r, sandbox);
    const { tmpfs, unmaskedPaths, ...security } = await securitySpec(r.hostConfig);
    const input: SpecInput = {
      id: r.id,
      rootfs: r.rootfsPath,
      readonlyRootfs: !!r.hostConfig.ReadonlyRootfs,
      args: r.hostConfig.Init ? [INIT_PATH, '--', r.path, ...r.args] : [r.path, ...r.args],
      env: processEnv(r.config.Env, r.config.Hostname, user.home, r.config.Tty),
      cwd,
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      hostname: r.config.Hostname,
      tty: r.config.Tty,
      network: { mode: sandbox.mode, netnsPath: sandbox.netnsPath },
      mounts: [
        ...(await specMounts(ctx, r)),
        ...tmpfs,
        ...etcMounts(r),
        ...(r.hostConfig.Init ? [{ destination: INIT_PATH, source: INIT_BINARY, type: 'bind' as const, options: ['rbind', 'ro'] }] : []),
      ],
      shmSize: r.hostConfig.ShmSize ?? 64 * 1024 * 1024,
      cgroupsPath: ctx.cgroupsPath(r.id),
      nofile: deps.nofile,
      ...security,
      systemPathsUnconfined: unmaskedPaths,
      resources: linuxResources(r.hostConfig),
    };
    const bundle = await deps.runtime.writeBundle(input);
    created = true;
    const { pid } = await deps.runtime.create({
      id: r.id, bundle, logPath: r.logPath, tty: r.config.Tty, stdin: r.config.OpenStdin, leaveStdinOpen: !r.config.StdinOnce || r.config.Tty,
    });
    await bindPendingAttach(ctx, r.id);
    await deps.runtime.start(r.id);
    setRunning(r, pid);
    await ctx.save(r);
    ctx.emit(r, 'start');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const code = /executable file not found|no such file or directory/.test(message) ? 127 : /permission denied|is a directory/i.test(message) ? 126 : 128;
    for (const a of ctx.pendingAttach.get(r.id) ?? []) a.end();
    ctx.pendingAttach.delete(r.id);
    if (created) await deps.runtime.delete(r.id, true).catch(() => undefined);
    if (sandbox) await deps.networks.detach(r).catch(() => undefined);
    if (mounted) await deps.host.unmount(r.rootfsPath).catch(() => undefined);
    await releaseMounts(ctx, r);
    setExited(r, code, new Date(), message);
    r.state.Status = 'created';
    await ctx.save(r);
    // Already under this container's lock: remove directly rather than through handleExit.
    if (r.hostConfig.AutoRemove) await removeContainerFiles(ctx, r);
    if (err instanceof BerthError) throw err;
    // runc's complaint about the user's command is the caller's fault (400), as Docker answers it.
    if (code !== 128) throw new InvalidParameterError(`failed to create task for container: ${message}`, { cause: err });
    throw new SystemError(`failed to start container ${r.id}: ${message}`, { cause: err });
  }
}

async function bindPendingAttach(ctx: ContainerContext, id: string): Promise<void> {
  const pending = ctx.pendingAttach.get(id);
  ctx.pendingAttach.delete(id);
  for (const session of pending ?? []) session.bind(await ctx.deps.runtime.attach(id));
}

/** Docker's process environment: HOSTNAME and (with a TTY) TERM first, then the container's, then HOME if unset. */
function processEnv(env: string[], hostname: string, home: string, tty: boolean): string[] {
  const has = (k: string) => env.some((e) => e.startsWith(`${k}=`));
  const out = [`HOSTNAME=${hostname}`, ...(tty && !has('TERM') ? ['TERM=xterm'] : []), ...env.filter((e) => !e.startsWith('HOSTNAME='))];
  if (!has('HOME')) out.push(`HOME=${home}`);
  return out;
}

async function writeEtcFiles(r: ContainerRecord, sandbox: NetworkSandbox): Promise<void> {
  const hostNet = sandbox.mode === 'host';
  const hosts = hostNet ? await readFile('/etc/hosts', 'utf8').catch(() => hostsFile(r.config.Hostname)) : hostsFile(r.config.Hostname, sandbox.ip, sandbox.extraHosts);
  const files: Array<[string, string]> = [[r.hostsPath, hosts], [r.hostnamePath, `${r.config.Hostname}\n`], [r.resolvConfPath, sandbox.resolvConf ?? await resolvConf(hostNet)]];
  await Promise.all(files.map(async ([p, text]) => { await writeFile(p, text); await chown(p, 0, 0); }));
}

/** /etc/hosts, /etc/hostname and /etc/resolv.conf, unless the user mounted their own there. */
function etcMounts(r: ContainerRecord): SpecInput['mounts'] {
  const taken = new Set(r.mounts.map((m) => path.normalize(m.Destination)));
  const files: Array<[string, string]> = [['/etc/resolv.conf', r.resolvConfPath], ['/etc/hostname', r.hostnamePath], ['/etc/hosts', r.hostsPath]];
  return files.filter(([dest]) => !taken.has(dest)).map(([destination, source]) => ({
    destination, source, type: 'bind' as const, options: ['rbind', 'rprivate', ...(r.hostConfig.ReadonlyRootfs ? ['ro'] : [])],
  }));
}
