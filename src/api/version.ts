// The Engine API versions berthd speaks, and the /vN.NN/ path prefix.
import { InvalidParameterError } from '../errors';

export const API_VERSION = '1.45';
export const MIN_API_VERSION = '1.24';

function num(v: string): number {
  const [maj, min] = v.split('.').map(Number);
  return maj * 1000 + min;
}

export function compareVersions(a: string, b: string): number {
  return num(a) - num(b);
}

/** Split "/v1.41/containers/json" into the version ("1.41", or the newest when absent) and the path. */
export function splitVersion(pathname: string): { version: string; path: string } {
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(pathname);
  if (!m) return { version: API_VERSION, path: pathname };
  const version = m[1];
  if (compareVersions(version, API_VERSION) > 0) {
    throw new InvalidParameterError(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw new InvalidParameterError(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
  return { version, path: m[2] };
}
