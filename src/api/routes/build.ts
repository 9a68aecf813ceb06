// Build routes: POST /build (the classic builder protocol: a tar context in, JSON lines out) and POST /build/prune.
import { InvalidParameterError, NotImplementedError } from '../../errors';
import type { BuildOptions, BuildService } from '../../builder';
import { parseReference } from '../../services/images/reference';
import { messageOf } from '../http-status';
import type { ApiRequest } from '../request';
import { COMMON_HEADERS } from '../respond';
import type { Router } from '../router';

function jsonParam<T>(req: ApiRequest, name: string, fallback: T): T {
  const raw = req.query.get(name);
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new InvalidParameterError(`invalid ${name} parameter: ${raw}`);
  }
}

function stringMap(v: unknown, name: string): Record<string, string | null> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidParameterError(`${name} must be a JSON object`);
  for (const x of Object.values(v)) if (x !== null && typeof x !== 'string') throw new InvalidParameterError(`${name} values must be strings`);
  return v as Record<string, string | null>;
}

export function buildOptions(req: ApiRequest, signal: AbortSignal): BuildOptions {
  if (req.query.get('remote')) throw new NotImplementedError('building from a remote context (git or URL) is not implemented: send the context as a tar body');
  if (req.query.get('version') === '2') throw new NotImplementedError('BuildKit is not supported: berth speaks the classic builder protocol (version 1)');
  const cacheFrom = jsonParam<unknown>(req, 'cachefrom', []);
  const extraHosts = req.query.getAll('extrahosts').flatMap((h) => h.split(',')).filter(Boolean);
  const tags = req.query.getAll('t').filter(Boolean);
  // Bad names are refused before anything is built, as dockerd refuses them.
  for (const t of tags) {
    if (parseReference(t).digest) throw new InvalidParameterError(`invalid reference format: ${t} (a tag cannot have a digest)`);
  }
  return {
    dockerfile: req.query.get('dockerfile') || 'Dockerfile',
    tags,
    quiet: req.bool('q'),
    noCache: req.bool('nocache'),
    rm: req.bool('rm', true),
    forceRm: req.bool('forcerm'),
    buildArgs: stringMap(jsonParam<unknown>(req, 'buildargs', {}), 'buildargs'),
    labels: stringMap(jsonParam<unknown>(req, 'labels', {}), 'labels') as Record<string, string>,
    target: req.query.get('target') || undefined,
    pull: req.bool('pull'),
    networkMode: req.query.get('networkmode') || undefined,
    platform: req.query.get('platform') || undefined,
    cacheFrom: Array.isArray(cacheFrom) ? cacheFrom.map(String) : [],
    extraHosts,
    shmSize: req.int('shmsize') || undefined,
    memory: req.int('memory') || undefined,
    signal,
  };
}

export function buildRoutes(router: Router, builder: BuildService): void {
  router.add('POST', '/build', async (req) => {
    const abort = new AbortController();
    const opts = buildOptions(req, abort.signal);
    const res = req.res!;
    res.once('close', () => { if (!res.writableFinished) abort.abort(new Error('client went away')); });
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
    res.flushHeaders();
    const send = (m: object) => { if (!res.destroyed) res.write(JSON.stringify(m) + '\r\n'); };
    try {
      await builder.build(req.req, opts, send);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const message = messageOf(err);
      send({ errorDetail: typeof code === 'number' ? { code, message } : { message }, error: message });
    }
    // Whatever the client did not send of the context is drained, so the connection ends cleanly.
    req.req.resume();
    res.end();
  });
  router.add('POST', '/build/prune', async () => ({ body: await builder.prune() }));
  router.add('POST', '/build/cancel', async () => {
    throw new NotImplementedError('build cancel by ID is not supported: close the /build connection to cancel');
  });
}
