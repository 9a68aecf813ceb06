// Network routes: create, list, inspect, remove, prune, connect, disconnect.
import { InvalidParameterError } from '../../errors';
import type { CreateNetworkBody, EndpointSettings, NetworkConnector, NetworkService } from '../../services/networks';
import type { Router } from '../router';

export function networkRoutes(router: Router, networks: NetworkService, connector: NetworkConnector): void {
  router.add('GET', '/networks', async (req) => ({ body: networks.list(req.filters()) }));
  router.add('POST', '/networks/create', async (req) => ({ status: 201, body: await networks.create(await req.json<CreateNetworkBody>()) }));
  router.add('POST', '/networks/prune', async (req) => ({ body: await networks.prune(req.filters()) }));
  router.add('GET', '/networks/{id}', async (req) => ({ body: networks.inspect(req.params.id) }));
  router.add('DELETE', '/networks/{id}', async (req) => {
    await networks.remove(req.params.id);
    return { status: 204 };
  });
  router.add('POST', '/networks/{id}/connect', async (req) => {
    const body = await req.json<{ Container?: string; EndpointConfig?: EndpointSettings | null }>();
    if (!body?.Container) throw new InvalidParameterError('Container is required');
    await connector.connect(req.params.id, body.Container, body.EndpointConfig ?? {});
    return { status: 200 };
  });
  router.add('POST', '/networks/{id}/disconnect', async (req) => {
    const body = await req.json<{ Container?: string; Force?: boolean }>();
    if (!body?.Container) throw new InvalidParameterError('Container is required');
    await connector.disconnect(req.params.id, body.Container, !!body.Force);
    return { status: 200 };
  });
}
