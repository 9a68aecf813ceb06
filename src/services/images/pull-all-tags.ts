// `docker pull --all-tags`: a repository named without tag or digest pulls every tag the registry lists.
import { resolveEndpoint } from '../../distribution/endpoint';
import { RegistryClient } from '../../distribution/registry-client';
import { listTags } from '../../distribution/tags';
import { NotFoundError } from '../../errors';
import { accessDenied, pullOne, pullStatus, type PullOptions } from './pull';
import { familiarRepository, type Reference } from './reference';
import type { TransferDeps } from './transfer-deps';

/** Pull each tag of `repo` in turn (each with its own `Pulling from` and `Digest:`), then one `Status:` for the repository. */
export async function pullAllTags(deps: TransferDeps, repo: Reference, opts: PullOptions): Promise<string[]> {
  const client = new RegistryClient(resolveEndpoint(repo.domain, deps.registries), [`repository:${repo.path}:pull`], opts.auth);
  const name = familiarRepository(repo);
  const tags = await listTags(client, repo.path, `repository ${name} not found`, opts.signal).catch((err) => { throw accessDenied(repo, err); });
  if (!tags.length) throw new NotFoundError(`no tags available for ${name}`);
  const ids: string[] = [];
  let updated = false;
  for (const tag of tags) {
    const r = await pullOne(deps, { domain: repo.domain, path: repo.path, tag }, opts);
    ids.push(r.id);
    updated ||= r.updated;
  }
  opts.progress(pullStatus(name, updated));
  return ids;
}
