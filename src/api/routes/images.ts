// Image routes: list, inspect, history, tag, remove, prune, and import through POST /images/create.
import { InvalidParameterError, NotImplementedError } from '../../errors';
import type { ImageService } from '../../services/images';
import { COMMON_HEADERS } from '../respond';
import type { Handler, Router } from '../router';

export function imageRoutes(router: Router, images: ImageService, pull?: Handler): void {
  router.add('GET', '/images/json', async (req) => ({
    body: await images.list({ all: req.bool('all'), filters: req.filters() }),
  }));
  router.add('POST', '/images/create', async (req) => {
    const fromSrc = req.query.get('fromSrc');
    if (req.query.get('fromImage') && pull) return pull(req);
    if (req.query.get('fromImage')) throw new NotImplementedError('pulling images is not implemented yet: no registry client (make a local image with `berth image busybox` or `import`)');
    if (fromSrc === null) throw new InvalidParameterError('fromImage or fromSrc is required');
    if (fromSrc !== '-') throw new NotImplementedError('importing from a URL is not implemented: use fromSrc=- with the tarball as the body');
    const res = req.res!;
    const id = await images.importImage(req.req, {
      repo: req.query.get('repo') || undefined,
      tag: req.query.get('tag') || undefined,
      changes: req.query.getAll('changes'),
      message: req.query.get('message') || undefined,
    });
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: id }) + '\r\n');
  });
  router.add('GET', '/images/{name*}/json', async (req) => ({ body: await images.inspect(req.params.name) }));
  router.add('GET', '/images/{name*}/history', async (req) => ({ body: await images.history(req.params.name) }));
  router.add('POST', '/images/{name*}/tag', async (req) => {
    const repo = req.query.get('repo');
    if (!repo) throw new InvalidParameterError('repository name must have at least one component');
    await images.tag(req.params.name, repo, req.query.get('tag') || undefined);
    return { status: 201 };
  });
  router.add('POST', '/images/prune', async (req) => ({ body: await images.prune(req.filters()) }));
  router.add('DELETE', '/images/{name*}', async (req) => ({
    body: await images.remove(req.params.name, { force: req.bool('force'), noprune: req.bool('noprune') }),
  }));
}
