// Routes that turn containers into images or archives: POST /commit, GET /containers/{id}/changes, GET /containers/{id}/export.
import { pipeline } from 'node:stream/promises';
import type { ContainerService } from '../../services/containers';
import { containerChanges, exportContainer, type FilesystemDeps } from '../../services/containers/filesystem';
import type { CommitDeps } from '../../services/images/commit';
import { commitContainer } from '../../services/images/commit-container';
import { InvalidParameterError } from '../../errors';
import { COMMON_HEADERS } from '../respond';
import type { Router } from '../router';

export function commitRoutes(router: Router, deps: CommitDeps & FilesystemDeps & { containers: ContainerService }): void {
  router.add('POST', '/commit', async (req) => {
    const container = req.query.get('container');
    if (!container) throw new InvalidParameterError('No container specified');
    const config = await req.json<Record<string, unknown> | null>(null);
    const id = await commitContainer(deps, container, {
      repo: req.query.get('repo') || undefined,
      tag: req.query.get('tag') || undefined,
      comment: req.query.get('comment') || undefined,
      author: req.query.get('author') || undefined,
      changes: req.query.getAll('changes'),
      pause: req.bool('pause', true),
      config: config ?? undefined,
    });
    return { status: 201, body: { Id: id } };
  });
  router.add('GET', '/containers/{id}/changes', async (req) => {
    const changes = await containerChanges(deps, deps.containers.get(req.params.id));
    return { body: changes.length ? changes : null };
  });
  router.add('GET', '/containers/{id}/export', async (req) => {
    const r = deps.containers.get(req.params.id);
    const tar = exportContainer(deps, r);
    const res = req.res!;
    // The first bytes (or the failure) decide the status: an error before any data is still a JSON error.
    const first = await new Promise<Buffer | Error>((resolve) => {
      tar.once('readable', () => resolve(tar.read() ?? Buffer.alloc(0)));
      tar.once('error', resolve);
    });
    if (first instanceof Error) throw first;
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/x-tar' });
    res.write(first);
    await pipeline(tar, res).catch(() => res.destroy());
  });
}
