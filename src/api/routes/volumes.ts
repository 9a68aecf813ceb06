// Volume routes: create, list, inspect, remove, prune.
import type { VolumeService } from '../../services/volumes';
import type { Router } from '../router';

export function volumeRoutes(router: Router, volumes: VolumeService): void {
  router.add('POST', '/volumes/create', async (req) => ({ status: 201, body: await volumes.create(await req.json({})) }));
  router.add('GET', '/volumes', async (req) => ({ body: await volumes.list(req.filters()) }));
  router.add('POST', '/volumes/prune', async (req) => ({ body: await volumes.prune(req.filters(), req.version) }));
  router.add('GET', '/volumes/{name}', async (req) => ({ body: await volumes.inspect(req.params.name) }));
  router.add('DELETE', '/volumes/{name}', async (req) => {
    await volumes.remove(req.params.name, { force: req.bool('force') });
    return { status: 204 };
  });
}
