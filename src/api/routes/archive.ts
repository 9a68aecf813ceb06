// Archive routes behind `docker cp`: HEAD/GET/PUT /containers/{id}/archive.
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidParameterError } from '../../errors';
import { HeldFiles } from '../../archive/held-files';
import { drainBody } from '../drain-body';
import type { ArchiveService, PathStat } from '../../services/containers/archive';
import type { ApiRequest } from '../request';
import { COMMON_HEADERS } from '../respond';
import type { Router } from '../router';
import { fastCopyRoutes } from './fastcopy';

export const PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';

function statHeader(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

function pathOf(req: ApiRequest): string {
  const p = req.query.get('path');
  if (!p) throw new InvalidParameterError('path is required');
  return p;
}

/**
 * Passes a stream through but keeps its last chunk (the tar's end) until
 * `released`: a client that has the whole tar knows the container is already
 * thawed or unmounted again.
 */
function holdLastChunk(released: Promise<void>): Transform {
  let last: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const prev = last;
      last = chunk;
      cb(null, prev);
    },
    flush(cb) {
      const done = () => cb(null, last);
      released.then(done, done);
    },
  });
}

export function archiveRoutes(router: Router, archive: ArchiveService): void {
  // Registered before GET, which would otherwise answer HEAD too.
  router.add('HEAD', '/containers/{id}/archive', async (req) => {
    const stat = await archive.stat(req.params.id, pathOf(req));
    req.res!.writeHead(200, { ...COMMON_HEADERS, [PATH_STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/json' }).end();
  });
  router.add('GET', '/containers/{id}/archive', async (req) => {
    const { stat, tar, released } = await archive.get(req.params.id, pathOf(req));
    const res = req.res!;
    res.writeHead(200, { ...COMMON_HEADERS, [PATH_STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' });
    // A client that goes away destroys the tar, which releases the container.
    await pipeline(tar, holdLastChunk(released), res).catch(() => res.destroy());
  });
  router.add('PUT', '/containers/{id}/archive', async (req) => {
    const abort = new AbortController();
    const onClose = () => { if (!req.req.complete) abort.abort(new Error('client went away')); };
    req.req.once('close', onClose);
    const held = new HeldFiles();
    try {
      await archive.put(req.params.id, pathOf(req), req.req, {
        noOverwriteDirNonDir: req.bool('noOverwriteDirNonDir'),
        copyUIDGID: req.bool('copyUIDGID'),
        signal: abort.signal,
        held,
      });
    } catch (err) {
      // As Go's server does: a short rest of a refused body is read, so the client (still sending) gets the answer;
      // a longer (maybe endless) one is not: answer, then close the connection.
      if (!(await drainBody(req.req))) req.res!.shouldKeepAlive = false;
      throw err;
    } finally {
      req.req.off('close', onClose);
      void held.releaseAfter(req.res!);
    }
    return { status: 200 };
  });
  fastCopyRoutes(router, archive);
}
