// Image references normalised as Docker does: `busybox` is `docker.io/library/busybox:latest`.
import { InvalidParameterError } from '../../errors';

export interface Reference {
  /** Registry host, e.g. "docker.io" or "localhost:5000". */
  domain: string;
  /** Repository path without the domain, e.g. "library/busybox". */
  path: string;
  tag?: string;
  digest?: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

function invalid(ref: string, why = ''): InvalidParameterError {
  return new InvalidParameterError(`invalid reference format${why ? ': ' + why : ''}`);
}

/** Parse and normalise a reference. Throws InvalidParameter with Docker's wording on bad input. */
export function parseReference(input: string): Reference {
  if (!input || input.length > 4096) throw invalid(input);
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input);
  }
  if (!rest) throw invalid(input);
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
      if (!DOMAIN.test(domain)) throw invalid(input);
    }
  }
  if (path !== path.toLowerCase()) throw invalid(input, 'repository name must be lowercase');
  for (const c of path.split('/')) if (!COMPONENT.test(c)) throw invalid(input);
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path.length > 255) throw invalid(input, 'repository name must not be more than 255 characters');
  return { domain, path, tag, digest };
}

/** Parse, adding `latest` when there is neither tag nor digest. */
export function parseNormalizedNamed(input: string): Reference {
  const r = parseReference(input);
  if (!r.tag && !r.digest) r.tag = 'latest';
  return r;
}

/** Full repository name, e.g. "docker.io/library/busybox". */
export function repositoryName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** The canonical string form: "docker.io/library/busybox:latest". */
export function referenceString(r: Reference): string {
  let s = repositoryName(r);
  if (r.tag) s += `:${r.tag}`;
  if (r.digest) s += `@${r.digest}`;
  return s;
}

/** Docker's short form for display: "busybox:latest", "myrepo/app:1", "localhost:5000/x:y". */
export function familiarString(r: Reference): string {
  let s = familiarRepository(r);
  if (r.tag) s += `:${r.tag}`;
  if (r.digest) s += `@${r.digest}`;
  return s;
}

export function familiarRepository(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return `${r.domain}/${r.path}`;
  return r.path.startsWith('library/') && r.path.split('/').length === 2 ? r.path.slice(8) : r.path;
}

/** Whether `s` looks like a (possibly abbreviated) hex image/container ID rather than a name. */
export function isIdLike(s: string): boolean {
  return /^(sha256:)?[0-9a-f]{1,64}$/.test(s);
}
