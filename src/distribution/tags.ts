// The tags of a repository on a registry (GET /v2/<name>/tags/list), following the Link header's pages.
import { InvalidParameterError } from '../errors';
import { readLimited, type RegistryClient } from './registry-client';

const MAX_PAGE_BYTES = 4 << 20;
const MAX_TAGS = 10_000;
const MAX_PAGES = 100;

/** The next page's path from a `Link: </v2/…?last=x&n=y>; rel="next"` header, only when it stays on this repository's list. */
export function nextPage(link: string | undefined, repo: string): string | undefined {
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link ?? '');
  if (!m) return undefined;
  const target = new URL(m[1], 'http://registry.invalid');
  if (target.host !== 'registry.invalid' || target.pathname !== `/v2/${repo}/tags/list`) return undefined;
  return target.pathname + target.search;
}

/** Every tag of `repo`, in the registry's order. */
export async function listTags(client: RegistryClient, repo: string, notFound: string, signal?: AbortSignal): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `/v2/${repo}/tags/list`;
  for (let page = 0; path && page < MAX_PAGES; page++) {
    const res = await client.send('GET', path, { signal });
    if (res.statusCode !== 200) throw await client.failure(res, `GET tags of ${repo}`, notFound);
    const doc = JSON.parse((await readLimited(res, MAX_PAGE_BYTES, 'tag list')).toString('utf8')) as { tags?: unknown };
    if (doc.tags !== null && doc.tags !== undefined && !Array.isArray(doc.tags)) throw new InvalidParameterError(`invalid tag list for ${repo}`);
    for (const t of (doc.tags as unknown[] | null | undefined) ?? []) {
      if (typeof t !== 'string' || !/^[\w][\w.-]{0,127}$/.test(t)) throw new InvalidParameterError(`invalid tag ${JSON.stringify(t)} in the tag list of ${repo}`);
      tags.push(t);
    }
    if (tags.length > MAX_TAGS) throw new InvalidParameterError(`${repo} has more than ${MAX_TAGS} tags`);
    const link = res.headers.link;
    path = nextPage(Array.isArray(link) ? link[0] : link, repo);
  }
  return tags;
}
