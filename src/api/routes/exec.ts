// Exec routes: create, start (hijacked like attach), inspect, resize.
import { InvalidParameterError } from '../../errors';
import type { ExecCreateBody, ExecService } from '../../services/containers';
import type { ApiRequest } from '../request';
import { bridgeSession, hijack } from '../respond';
import type { Router } from '../router';
import { compareVersions } from '../version';

const RAW = 'application/vnd.docker.raw-stream';
const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';

export function execRoutes(router: Router, execs: ExecService): void {
  router.add('POST', '/containers/{id}/exec', async (req) => {
    const body = await req.json<ExecCreateBody>();
    return { status: 201, body: await execs.create(req.params.id, body ?? {}) };
  });
  router.add('POST', '/exec/{id}/start', start(execs));
  router.add('GET', '/exec/{id}/json', async (req) => ({ body: execs.inspect(req.params.id) }));
  router.add('POST', '/exec/{id}/resize', async (req) => {
    const h = req.int('h');
    const w = req.int('w');
    if (h === undefined || w === undefined) throw new InvalidParameterError('resize requires h and w');
    await execs.resize(req.params.id, h, w);
    return { status: 200 };
  });
}

function start(execs: ExecService) {
  return async (req: ApiRequest) => {
    const body = await req.json<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>({});
    const tty = execs.tty(req.params.id);
    const session = await execs.start(req.params.id, { detach: !!body.Detach, consoleSize: body.ConsoleSize });
    if (!session) return { status: 200 };
    const multiplexedType = compareVersions(req.version, '1.42') >= 0 ? MULTIPLEXED : RAW;
    const out = hijack(req, tty ? RAW : multiplexedType);
    bridgeSession(out, session, tty);
    session.resume();
  };
}
