// Creating a container: validate the request, merge the image config, prepare the writable snapshot, write the record.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConflictError, InvalidParameterError, NotImplementedError } from '../../errors';
import { explicitMounts } from './mount-spec';
import { removeAnonymousVolumes, resolveMounts } from './mounts';
import type { ContainerContext } from './context';
import type { CreateBody } from './index';
import { generateName, normalizeName } from './names';
import { mergeConfig, processArgs } from './process-config';
import { newState, type ContainerConfig, type ContainerRecord, type HostConfig } from './record';
import { validateNetworkMode } from './network';
import { adaptResources, hostResourceFacts, verifyResources } from './resources';
import { validateSecurity } from './security';
import { validateRestartPolicy } from './restart-policy';
import { validateHealthcheck } from './health-config';

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export async function createContainer(ctx: ContainerContext, name: string | undefined, body: CreateBody, opts: { volatileRootfs?: boolean } = {}): Promise<{ Id: string; Warnings: string[] }> {
  if (typeof body !== 'object' || body === null) throw new InvalidParameterError('config cannot be empty in order to create a container');
  const imageName = body.Image;
  if (typeof imageName !== 'string' || !imageName) throw new InvalidParameterError('No image was specified');
  const fullName = name ? normalizeName(name) : undefined;
  if (fullName) {
    const holder = ctx.nameTaken(fullName);
    if (holder) {
      throw new ConflictError(`Conflict. The container name "${fullName}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
  }
  const image = await ctx.deps.images.get(imageName);
  const hostConfig: HostConfig = { ...((body.HostConfig as HostConfig | undefined) ?? {}) };
  validateRestartPolicy(hostConfig);
  if (hostConfig.ShmSize !== undefined && (typeof hostConfig.ShmSize !== 'number' || hostConfig.ShmSize < 0)) {
    throw new InvalidParameterError('SHM size can not be less than 0');
  }
  if (!hostConfig.ShmSize) hostConfig.ShmSize = DEFAULT_SHM_SIZE;
  if (!hostConfig.NetworkMode) hostConfig.NetworkMode = 'default';
  if (hostConfig.RestartPolicy === undefined) hostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
  explicitMounts(hostConfig, existsSync);
  const config: ContainerConfig = mergeConfig(body as Partial<ContainerConfig>, image.config.config ?? {}, imageName);
  const { path: procPath, args } = processArgs(config);
  if (config.WorkingDir && !path.isAbsolute(config.WorkingDir)) {
    throw new InvalidParameterError(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }

  // Docker checks the settings before the network mode.
  validateHealthcheck(config.Healthcheck);
  validateSecurity(hostConfig);
  const warnings = verifyResources(hostConfig, hostResourceFacts());
  adaptResources(hostConfig);
  validateNetworkMode(hostConfig, ctx.deps.networks.bridgeAvailable);
  const networkSettings = ctx.deps.networks.prepare?.(hostConfig, body.NetworkingConfig, { ...config, MacAddress: body.MacAddress }) ?? {};

  const id = randomBytes(32).toString('hex');
  const mounts = await resolveMounts(ctx, id, hostConfig, config, existsSync);
  if (!config.Hostname) config.Hostname = hostConfig.NetworkMode === 'host' ? (await import('node:os')).hostname() : id.slice(0, 12);
  const dir = ctx.containerDir(id);
  const record: ContainerRecord = {
    id,
    name: fullName ?? generateName((n) => !!ctx.nameTaken(n)),
    created: new Date().toISOString(),
    path: procPath,
    args,
    config,
    hostConfig,
    image: image.record.id,
    state: newState(),
    restartCount: 0,
    mounts,
    logPath: path.join(dir, `${id}-json.log`),
    rootfsPath: ctx.rootfsDir(id),
    hostsPath: path.join(dir, 'hosts'),
    hostnamePath: path.join(dir, 'hostname'),
    resolvConfPath: path.join(dir, 'resolv.conf'),
    networkSettings,
    ...(opts.volatileRootfs ? { volatileRootfs: true } : {}),
  };
  // A second create with the same name may have raced us while the image resolved.
  if (ctx.nameTaken(record.name)) {
    ctx.pendingMounts.delete(id);
    await removeAnonymousVolumes(ctx, record);
    throw new ConflictError(`Conflict. The container name "${record.name}" is already in use.`);
  }
  ctx.records.set(id, record);
  ctx.pendingMounts.delete(id);
  try {
    await ctx.deps.snapshots.prepare(id, image.record.chainID);
    await ctx.save(record);
    ctx.emit(record, 'create');
  } catch (err) {
    ctx.records.delete(id);
    await ctx.deps.snapshots.remove(id).catch(() => undefined);
    await removeAnonymousVolumes(ctx, record);
    throw err;
  }
  return { Id: id, Warnings: warnings };
}
