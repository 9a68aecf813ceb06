// berth-only extension routes behind `berth cp`'s same-machine fast path (/berth/containers/{id}/fastcopy/...); the Docker API stays Docker's.
import type { ArchiveService } from '../../services/containers/archive';
import { parseFastSource } from '../../archive/fd-handoff';
import { HeldFiles } from '../../archive/held-files';
import type { ApiRequest } from '../request';
import { COMMON_HEADERS } from '../respond';
import type { Router } from '../router';

/** Advertised on /_ping: this daemon serves the fastcopy routes (to clients on its Unix socket). */
export const FASTCOPY_HEADER = 'X-Berth-Fastcopy';

/** "Use the tar path instead": the client falls back, nothing was done. */
const FALL_BACK = 412;

function fallBack(why: string) {
  return { status: FALL_BACK, body: { message: `fast copy not possible: ${why}` } };
}

/** Only a client on this machine's Unix socket shares our /proc (TCP peers never do). */
function onUnixSocket(req: ApiRequest): boolean {
  return req.req.socket.remoteAddress === undefined;
}

export function fastCopyRoutes(router: Router, archive: ArchiveService): void {
  /**
   * Into a container: the body is the client's open file (/proc/<pid>/fd/<n>
   * and its dev/ino/size/mtime); `path` is the directory, `name` the file to
   * create there. 200 when copied; 412 when the file is not the one described.
   */
  router.add('POST', '/berth/containers/{id}/fastcopy/in', async (req) => {
    if (!onUnixSocket(req)) return fallBack('not on a Unix socket');
    const src = parseFastSource(await req.json());
    const path = req.query.get('path') ?? '';
    const held = new HeldFiles();
    let copied: boolean;
    try {
      copied = await archive.copyFileIn(req.params.id, path, req.query.get('name') ?? '', src, {
        noOverwriteDirNonDir: req.bool('noOverwriteDirNonDir'),
        copyUIDGID: req.bool('copyUIDGID'),
        held,
      });
    } finally {
      void held.releaseAfter(req.res!);
    }
    return copied ? { status: 200, body: {} } : fallBack('the source is not the file described');
  });
  /**
   * Out of a container: a regular file at `path` is opened and answered as one
   * JSON line ({stat, source, mode}); the response stays open, and the file
   * with it, until the client closes the connection. 412 for anything else.
   */
  router.add('GET', '/berth/containers/{id}/fastcopy/out', async (req) => {
    if (!onUnixSocket(req)) return fallBack('not on a Unix socket');
    const file = await archive.openFile(req.params.id, req.query.get('path') ?? '');
    if (!file) return fallBack('not a regular file');
    const res = req.res!;
    const closed = new Promise<void>((done) => res.once('close', done));
    // Gone while the file was opened: its 'close' came before anyone listened.
    if (req.req.socket.destroyed) {
      file.close();
      return undefined;
    }
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json' });
    res.write(`${JSON.stringify({ stat: file.stat, source: file.source })}\n`);
    try {
      await closed;
    } finally {
      file.close();
    }
    return undefined;
  });
}
