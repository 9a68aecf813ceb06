// Container routes: create, start, stop, kill, restart, wait, remove, inspect, list, rename, top, prune, resize, logs, attach.
import { InvalidParameterError } from '../../errors';
import type { ContainerService, WaitCondition } from '../../services/containers';
import { messageOf } from '../http-status';
import type { ApiRequest } from '../request';
import { bridgeSession, COMMON_HEADERS, frame, hijack } from '../respond';
import type { Router } from '../router';
import { compareVersions } from '../version';

const RAW = 'application/vnd.docker.raw-stream';
const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';

export function containerRoutes(router: Router, containers: ContainerService): void {
  router.add('POST', '/containers/create', async (req) => {
    const name = req.query.get('name') || undefined;
    const body = await req.json<Record<string, unknown>>();
    return { status: 201, body: await containers.create(name, body) };
  });
  router.add('GET', '/containers/json', async (req) => ({
    body: await containers.list({ all: req.bool('all'), limit: req.int('limit'), size: req.bool('size'), filters: req.filters() }),
  }));
  router.add('POST', '/containers/prune', async (req) => ({ body: await containers.prune(req.filters()) }));
  router.add('GET', '/containers/{id}/json', async (req) => ({ body: await containers.inspect(req.params.id) }));
  router.add('POST', '/containers/{id}/start', async (req) => {
    await containers.start(req.params.id);
    return { status: 204 };
  });
  router.add('POST', '/containers/{id}/stop', async (req) => {
    await containers.stop(req.params.id, { signal: req.query.get('signal') || undefined, timeout: req.int('t') });
    return { status: 204 };
  });
  router.add('POST', '/containers/{id}/restart', async (req) => {
    await containers.restart(req.params.id, { signal: req.query.get('signal') || undefined, timeout: req.int('t') });
    return { status: 204 };
  });
  router.add('POST', '/containers/{id}/kill', async (req) => {
    await containers.kill(req.params.id, req.query.get('signal') || undefined);
    return { status: 204 };
  });
  router.add('POST', '/containers/{id}/pause', async (req) => {
    await containers.pause(req.params.id);
    return { status: 204 };
  });
  router.add('POST', '/containers/{id}/unpause', async (req) => {
    await containers.unpause(req.params.id);
    return { status: 204 };
  });
  router.add('POST', '/containers/{id}/rename', async (req) => {
    const name = req.query.get('name');
    if (!name) throw new InvalidParameterError('name is required');
    await containers.rename(req.params.id, name);
    return { status: 204 };
  });
  router.add('GET', '/containers/{id}/top', async (req) => ({ body: await containers.top(req.params.id, req.query.get('ps_args') ?? '') }));
  router.add('POST', '/containers/{id}/resize', async (req) => {
    await containers.resize(req.params.id, req.int('h') ?? 0, req.int('w') ?? 0);
    return { status: 200 };
  });
  router.add('DELETE', '/containers/{id}', async (req) => {
    await containers.remove(req.params.id, { force: req.bool('force'), volumes: req.bool('v') });
    return { status: 204 };
  });
  router.add('POST', '/containers/{id}/update', async (req) => ({
    body: await containers.update(req.params.id, (await req.json<Record<string, unknown>>()) ?? {}),
  }));
  router.add('POST', '/containers/{id}/wait', wait(containers));
  router.add('GET', '/containers/{id}/logs', logs(containers));
  router.add('POST', '/containers/{id}/attach', attach(containers));
  router.add('GET', '/containers/{id}/stats', stats(containers));
}

function wait(containers: ContainerService) {
  return async (req: ApiRequest) => {
    const condition = (req.query.get('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new InvalidParameterError(`invalid condition: "${condition}"`);
    const abort = new AbortController();
    const res = req.res!;
    // The waiter is registered before the headers go out: `docker run` starts the container once it sees them.
    const result = containers.wait(req.params.id, condition, abort.signal);
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
    res.flushHeaders();
    res.once('close', () => abort.abort(new Error('client went away')));
    try {
      res.end(JSON.stringify(await result) + '\n');
    } catch (err) {
      if (!res.destroyed) res.end(JSON.stringify({ StatusCode: -1, Error: { Message: messageOf(err) } }) + '\n');
    }
  };
}

function logs(containers: ContainerService) {
  return async (req: ApiRequest) => {
    const r = containers.get(req.params.id);
    const stdout = req.bool('stdout');
    const stderr = req.bool('stderr');
    if (!stdout && !stderr) throw new InvalidParameterError('Bad parameters: you must choose at least one stream');
    const tailParam = req.query.get('tail');
    const tail = tailParam && tailParam !== 'all' ? Number(tailParam) : undefined;
    if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0)) throw new InvalidParameterError(`invalid value for "tail": ${tailParam}`);
    // 0 means no bound, as in Docker.
    const toDate = (ns: number | undefined) => (ns ? new Date(ns / 1e6) : undefined);
    const since = toDate(req.timeNano('since'));
    const until = toDate(req.timeNano('until'));
    const timestamps = req.bool('timestamps');
    const tty = r.config.Tty;
    const res = req.res!;
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': tty ? RAW : MULTIPLEXED });
    res.flushHeaders();
    for await (const entry of containers.logs(r.id, { stdout, stderr, follow: req.bool('follow'), tail, since, until, signal: abort.signal })) {
      const line = timestamps ? Buffer.concat([Buffer.from(`${rfc3339Nano(entry.time)} `), entry.line]) : entry.line;
      const ok = res.write(tty ? line : frame(entry.stream === 'stdout' ? 1 : 2, line));
      if (!ok) await new Promise((resolve) => res.once('drain', resolve));
      if (res.destroyed) break;
    }
    res.end();
  };
}

function stats(containers: ContainerService) {
  return async (req: ApiRequest) => {
    const r = containers.get(req.params.id);
    const res = req.res!;
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const stream = req.bool('stream', true);
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
    if (stream) res.flushHeaders();
    for await (const s of containers.stats(r.id, { stream, oneShot: req.bool('one-shot'), signal: abort.signal })) {
      if (res.destroyed) break;
      res.write(JSON.stringify(s) + '\n');
    }
    res.end();
  };
}

function attach(containers: ContainerService) {
  return async (req: ApiRequest) => {
    const r = containers.get(req.params.id);
    const opts = { stdin: req.bool('stdin'), stdout: req.bool('stdout'), stderr: req.bool('stderr'), detachKeys: req.query.get('detachKeys') || undefined };
    if (!req.bool('stream') && !req.bool('logs')) throw new InvalidParameterError('Bad parameters: you must choose at least one stream');
    const tty = r.config.Tty;
    const session = await containers.attach(r.id, opts);
    const multiplexedType = compareVersions(req.version, '1.42') >= 0 ? MULTIPLEXED : RAW;
    const out = hijack(req, tty ? RAW : multiplexedType);
    bridgeSession(out, session, tty);
  };
}

/** conmon writes local times with an offset; Docker shows UTC with nanoseconds. */
function rfc3339Nano(t: string): string {
  const m = /^(.*T[\d:]+)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(t);
  if (!m) return t;
  if (m[3] === 'Z' || m[3] === '+00:00') return `${m[1]}${m[2] ?? ''}Z`;
  const d = new Date(`${m[1]}${m[3]}`);
  return `${d.toISOString().slice(0, 19)}${m[2] ?? ''}Z`;
}
