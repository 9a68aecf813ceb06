// How Docker turns a create request and the image's config into the container's Config and process.
import { InvalidParameterError } from '../../errors';
import type { ImageRunConfig } from '../images';
import type { ContainerConfig } from './record';
import { mergeHealthcheck } from './health-config';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function isEmpty(a: unknown[] | null | undefined): boolean {
  return !a || a.length === 0;
}

/** Merge the user's Config over the image's, as moby's merge() does. */
export function mergeConfig(user: Partial<ContainerConfig>, image: ImageRunConfig, imageName: string): ContainerConfig {
  let entrypoint = user.Entrypoint ?? null;
  let cmd = user.Cmd ?? null;
  if (isEmpty(entrypoint)) {
    if (isEmpty(cmd)) cmd = image.Cmd ?? null;
    if (entrypoint === null || entrypoint === undefined) entrypoint = image.Entrypoint ?? null;
  }
  // `--entrypoint ""` arrives as [""]: it clears the image's entrypoint.
  if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = null;
  const env = [...(user.Env ?? [])];
  const keys = new Set(env.map((e) => e.split('=')[0]));
  for (const e of image.Env ?? []) if (!keys.has(e.split('=')[0])) env.push(e);
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH);
  return {
    Hostname: user.Hostname ?? '',
    Domainname: user.Domainname ?? '',
    User: user.User || image.User || '',
    AttachStdin: !!user.AttachStdin,
    AttachStdout: !!user.AttachStdout,
    AttachStderr: !!user.AttachStderr,
    ExposedPorts: mergeSets(image.ExposedPorts, user.ExposedPorts),
    Tty: !!user.Tty,
    OpenStdin: !!user.OpenStdin,
    StdinOnce: !!user.StdinOnce,
    Env: env,
    Cmd: cmd,
    Image: imageName,
    Volumes: mergeSets(image.Volumes, user.Volumes),
    WorkingDir: user.WorkingDir || image.WorkingDir || '',
    Entrypoint: entrypoint,
    OnBuild: image.OnBuild ?? null,
    Labels: { ...(image.Labels ?? {}), ...(user.Labels ?? {}) },
    StopSignal: user.StopSignal || image.StopSignal || undefined,
    StopTimeout: user.StopTimeout,
    Healthcheck: mergeHealthcheck(user.Healthcheck, image.Healthcheck),
  };
}

function mergeSets(a?: Record<string, object> | null, b?: Record<string, object> | null): Record<string, object> | null {
  if (!a && !b) return null;
  return { ...(a ?? {}), ...(b ?? {}) };
}

/** The program and its arguments; InvalidParameter "No command specified" when there is none. */
export function processArgs(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (argv.length === 0) throw new InvalidParameterError('No command specified');
  return { path: argv[0], args: argv.slice(1) };
}
