// Distribution routes: pull (through POST /images/create), push, save (GET /images/get), load, POST /auth, GET /distribution/{name}/json.
import { pipeline } from 'node:stream/promises';
import { decodeRegistryAuth, normaliseAuth, type AuthConfig } from '../../distribution/auth';
import type { ImageTransfer } from '../../services/images/transfer';
import { clientGone, progressStream } from '../progress-stream';
import type { ApiRequest } from '../request';
import { COMMON_HEADERS } from '../respond';
import type { Router } from '../router';

function registryAuth(req: ApiRequest): AuthConfig | undefined {
  const h = req.req.headers['x-registry-auth'];
  return decodeRegistryAuth(Array.isArray(h) ? h[0] : h);
}

/** POST /images/create?fromImage=…: the pull half of that route (images.ts hands it over). */
export function pullHandler(transfer: ImageTransfer) {
  return async (req: ApiRequest): Promise<void> => {
    const out = progressStream(req);
    const signal = clientGone(req);
    try {
      await transfer.pull(req.query.get('fromImage')!, req.query.get('tag') || undefined, {
        platform: req.query.get('platform') || undefined, auth: registryAuth(req), progress: (m) => out.write(m), signal,
      });
      out.end();
    } catch (err) {
      out.fail(err);
    }
  };
}

export function distributionRoutes(router: Router, transfer: ImageTransfer): void {
  router.add('POST', '/images/load', async (req) => {
    const quiet = req.bool('quiet');
    const out = progressStream(req);
    try {
      await transfer.load(req.req, (m) => { if (!quiet || 'stream' in m) out.write(m); }, clientGone(req));
      out.end();
    } catch (err) {
      out.fail(err);
    }
  });
  const save = async (req: ApiRequest, names: string[]) => {
    const archive = await transfer.save(names);
    const res = req.res!;
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/x-tar' });
    await pipeline(archive, res).catch(() => res.destroy());
  };
  router.add('GET', '/images/get', (req) => save(req, req.query.getAll('names')));
  router.add('GET', '/images/{name*}/get', (req) => save(req, [req.params.name]));
  router.add('POST', '/images/{name*}/push', async (req) => {
    const out = progressStream(req);
    try {
      await transfer.push(req.params.name, req.query.get('tag') || undefined, { auth: registryAuth(req), progress: (m) => out.write(m), signal: clientGone(req) });
      out.end();
    } catch (err) {
      out.fail(err);
    }
  });
  router.add('POST', '/auth', async (req) => ({ body: await transfer.login(normaliseAuth(await req.json<AuthConfig>({})) ?? {}) }));
  router.add('GET', '/distribution/{name*}/json', async (req) => ({ body: await transfer.inspect(req.params.name, registryAuth(req)) }));
}
