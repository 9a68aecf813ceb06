// A container's mounts: volumes created at create, mounted (and seeded from the image) at start, released at exit, anonymous ones removed with it.
import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { cleanComponents, resolveInRoot } from '../../archive/securejoin';
import { ConflictError, NotFoundError, NotImplementedError } from '../../errors';
import type { SpecInput } from '../../runtime';
import { ANONYMOUS_LABEL } from '../volumes';
import type { ContainerContext } from './context';
import { anonymousVolumes, explicitMounts, parseVolumesFrom, type MountSpec } from './mount-spec';
import type { ContainerConfig, ContainerRecord, HostConfig, MountPoint } from './record';
import { tmpfsMounts } from './security';

/** Seeding copies a whole directory of the image: allow it more than a helper's usual 30 s. */
const SEED_TIMEOUT_MS = 10 * 60_000;

/**
 * Every mount of a new container, volumes created as needed: Binds and Mounts,
 * then --volumes-from, then the image's VOLUMEs as anonymous volumes.
 * On failure the anonymous volumes made here are removed again.
 */
export async function resolveMounts(ctx: ContainerContext, id: string, hostConfig: HostConfig, config: ContainerConfig, exists: (p: string) => boolean): Promise<MountPoint[]> {
  const specs: MountSpec[] = explicitMounts(hostConfig, exists);
  const taken = new Set(specs.map((m) => m.Destination));
  const from = hostConfig.VolumesFrom as string[] | null | undefined;
  for (const spec of Array.isArray(from) ? from : []) {
    const { container, rw } = parseVolumesFrom(spec);
    for (const m of ctx.get(container).mounts) {
      if (m.Type === 'tmpfs' || taken.has(m.Destination)) continue;
      taken.add(m.Destination);
      specs.push({ ...m, RW: rw ?? m.RW, CopyData: false });
    }
  }
  specs.push(...anonymousVolumes(config.Volumes, taken));
  const driver = hostConfig.VolumeDriver;
  if (driver && driver !== 'local' && specs.some((m) => m.Type === 'volume')) {
    throw new NotFoundError(`error looking up volume plugin ${String(driver)}: plugin "${String(driver)}" not found`);
  }
  const made: string[] = [];
  const out: MountPoint[] = [];
  // Counted as users from the start; create.ts drops the entry once the record holds the mounts.
  ctx.pendingMounts.set(id, out);
  try {
    for (const { create, ...m } of specs) {
      if (m.Type !== 'volume') { out.push(m); continue; }
      const volumes = ctx.deps.volumes;
      if (!volumes) throw new NotImplementedError('volumes are not available in this daemon');
      const anonymous = !m.Name;
      if (anonymous) m.Name = randomBytes(32).toString('hex');
      out.push(m);
      if (anonymous) {
        made.push(m.Name!);
        await volumes.create({ Name: m.Name, Labels: { ...create?.labels, [ANONYMOUS_LABEL]: '' }, DriverOpts: create?.driverOpts });
      } else if (!volumes.find(m.Name!)) {
        await volumes.create({ Name: m.Name, Labels: create?.labels, DriverOpts: create?.driverOpts });
      }
      m.Source = ((await volumes.inspect(m.Name!)) as { Mountpoint: string }).Mountpoint;
    }
    return out;
  } catch (err) {
    ctx.pendingMounts.delete(id);
    await removeVolumes(ctx, made);
    throw err;
  }
}

/** The OCI mounts for a starting container: volumes acquired (and seeded once from the image), binds and tmpfs as asked. */
export async function specMounts(ctx: ContainerContext, r: ContainerRecord): Promise<SpecInput['mounts']> {
  const out: SpecInput['mounts'] = [];
  for (const m of r.mounts) {
    if (m.Type === 'tmpfs') {
      const o = m.TmpfsOptions ?? {};
      const opts = [o.SizeBytes ? `size=${o.SizeBytes}` : '', o.Mode !== undefined ? `mode=${o.Mode.toString(8)}` : '', m.RW ? '' : 'ro'];
      out.push(...tmpfsMounts({ [m.Destination]: opts.filter(Boolean).join(',') }));
      continue;
    }
    let source = m.Source;
    if (m.Type === 'volume') {
      source = await ctx.deps.volumes!.acquire(m.Name!, r.id, { destination: m.Destination, rw: m.RW, propagation: m.Propagation });
      if (m.CopyData !== false) await seedVolume(ctx, r, m.Destination, source);
      m.CopyData = false;
    }
    out.push({ destination: m.Destination, source, type: 'bind', options: ['rbind', m.Propagation || 'rprivate', ...(m.RW ? [] : ['ro'])] });
  }
  return out;
}

/** Docker's copy-up: an empty volume gets the image's files, owners and modes at its path. */
async function seedVolume(ctx: ContainerContext, r: ContainerRecord, destination: string, volumePath: string): Promise<void> {
  if ((await readdir(volumePath)).length) return;
  const source = await resolveInRoot(r.rootfsPath, cleanComponents(destination));
  if (!(await stat(source).then((s) => s.isDirectory(), () => false))) return;
  // cp -a keeps owners, modes, times and links and never follows a symlink out of the image.
  await ctx.deps.host.run('cp', ['-a', '--', `${source}/.`, volumePath], { timeoutMs: SEED_TIMEOUT_MS });
}

/** The container no longer runs: let driver mounts go that nobody else needs. */
export async function releaseMounts(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  for (const m of r.mounts) {
    if (m.Type !== 'volume' || !m.Name) continue;
    await ctx.deps.volumes?.release(m.Name, r.id).catch((err) => ctx.deps.log('warn', `release volume ${m.Name}: ${err.message}`));
  }
}

/** After a container is gone (rm -v, --rm): its anonymous volumes that no other container uses. */
export async function removeAnonymousVolumes(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  const names = r.mounts.filter((m) => m.Type === 'volume' && m.Name && ANONYMOUS_LABEL in (ctx.deps.volumes?.find(m.Name)?.labels ?? {}));
  await removeVolumes(ctx, names.map((m) => m.Name!));
}

async function removeVolumes(ctx: ContainerContext, names: string[]): Promise<void> {
  for (const name of names) {
    await ctx.deps.volumes?.remove(name, { force: true }).catch((err) => {
      if (!(err instanceof ConflictError)) ctx.deps.log('warn', `remove volume ${name}: ${err.message}`);
    });
  }
}

/** A mount as `docker inspect` shows it (berth's own fields dropped). */
export function mountView(m: MountPoint): object {
  if (m.Type === 'volume') {
    return { Type: m.Type, Name: m.Name, Source: m.Source, Destination: m.Destination, Driver: m.Driver ?? 'local', Mode: m.Mode, RW: m.RW, Propagation: m.Propagation };
  }
  return { Type: m.Type, Source: m.Source, Destination: m.Destination, Mode: m.Mode, RW: m.RW, Propagation: m.Propagation };
}

/** Containers whose mounts include volume `name`. */
export function volumeUsers(ctx: ContainerContext, name: string): Array<{ id: string; running: boolean }> {
  const uses = (mounts: MountPoint[]) => mounts.some((m) => m.Type === 'volume' && m.Name === name);
  const users = [...ctx.records.values()].filter((r) => uses(r.mounts)).map((r) => ({ id: r.id, running: r.state.Running }));
  for (const [id, mounts] of ctx.pendingMounts) if (uses(mounts)) users.push({ id, running: false });
  return users;
}
