// `berth cp`'s same-machine fast path: one regular file handed over as an open fd and copied in the kernel, when berthd offers it on its Unix socket.
import { lstat } from 'node:fs/promises';
import type { EngineClient, RequestOptions, StreamResponse } from '../../client/engine-client';
import { isApiError } from '../../client/errors';
import { StatusError } from '../context';
import { identityOf, openRegular, openVerified, placeCopy, type FastSource } from '../../archive/fd-handoff';

/** The daemon's answer for "copy a tar instead". */
const FALL_BACK = 412;

/** "Copy a tar instead", or, with BERTH_CP_FASTCOPY=required (tests, benchmarks), an error saying why not. */
function fallBack(why: string): undefined {
  if (process.env.BERTH_CP_FASTCOPY === 'required') throw new StatusError(1, `fast copy not possible: ${why}`);
  return undefined;
}

/**
 * Whether to try the fast path: not disabled (BERTH_CP_NO_FASTCOPY=1, which
 * forces the tar path), the
 * daemon on a Unix socket of this machine, and advertising it on /_ping (a
 * dockerd does not).
 */
export async function fastCopyOffered(client: EngineClient): Promise<boolean> {
  if (process.env.BERTH_CP_NO_FASTCOPY === '1' || client.address.kind !== 'unix') return false;
  const ping = await client.pingOnce().catch(() => undefined);
  return ping?.headers['x-berth-fastcopy'] === '1';
}

/** The bytes the one-entry tar of a `size`-byte file would have been (docker's "Successfully copied" counts the tar). */
export function tarBytes(size: number): number {
  return 512 + Math.ceil(size / 512) * 512 + 1024;
}

/** A request to berthd's fastcopy routes; undefined when it answers "copy a tar instead". */
async function fastRequest(client: EngineClient, method: string, container: string, way: 'in' | 'out', opts: RequestOptions): Promise<StreamResponse | undefined> {
  const path = `/berth/containers/${encodeURIComponent(container)}/fastcopy/${way}`;
  return client.request(method, path, { ...opts, versioned: false }).catch((err) => {
    if (isApiError(err, FALL_BACK)) return fallBack(err.daemonMessage.replace(/^fast copy not possible: /, ''));
    throw err;
  });
}

/**
 * Copy the local regular file `local` (opened here, with the caller's own
 * permissions) to `name` in the container directory `dir`. Answers the tar
 * bytes it stands for, or undefined when the tar path must do it (not a
 * regular file, or berthd could not open it as described).
 */
export async function fastCopyIn(client: EngineClient, local: string, container: string, dir: string, name: string, archive: boolean): Promise<number | undefined> {
  if (!(await fastCopyOffered(client))) return fallBack('not offered');
  // Opening a device or FIFO could block or have effects: only what is a regular file now is opened.
  if (!(await lstat(local).then((st) => st.isFile(), () => false))) return fallBack('not a regular file');
  // What cannot be opened here (permissions) is left to the tar path, which reports it as docker does.
  const file = await openRegular(local).catch((err: Error) => fallBack(err.message));
  if (!file) return fallBack('not a regular file');
  try {
    const source: FastSource = { path: `/proc/${process.pid}/fd/${file.fh.fd}`, ...identityOf(file.st) };
    const res = await fastRequest(client, 'POST', container, 'in', { query: { path: dir, name, noOverwriteDirNonDir: true, copyUIDGID: archive }, body: source });
    if (!res) return undefined;
    res.body.resume();
    return tarBytes(Number(file.st.size));
  } finally {
    await file.fh.close();
  }
}

/** The first line of a body, as text; the body is left open (a for-await that stops early would destroy it). */
export function firstLine(body: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (fn: () => void) => {
      body.off('data', onData).off('end', onEnd).off('error', onError);
      body.pause();
      fn();
    };
    const onData = (c: Buffer | string) => {
      text += c.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) done(() => resolve(text.slice(0, nl)));
    };
    const onEnd = () => done(() => resolve(text));
    const onError = (err: Error) => done(() => reject(err));
    body.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

/** Where a copied-out file goes, decided once its container stat is known (docker cp's rules; may throw its errors). */
export type PlaceOut = (stat: { name: string; size: number; mode: number; linkTarget: string }) => { dir: string; name: string };

/**
 * Copy the container's regular file `src` out: berthd holds it open, this
 * process (root only: it opens berthd's fd) copies it into a file it creates
 * itself, so the copy is the caller's, with the mode and mtime docker cp
 * gives. Answers the tar bytes it stands for, or undefined when the tar path
 * must do it.
 */
export async function fastCopyOut(client: EngineClient, container: string, src: string, place: PlaceOut): Promise<number | undefined> {
  if (process.geteuid?.() !== 0) return fallBack('only root can open berthd\'s file');
  if (!(await fastCopyOffered(client))) return fallBack('not offered');
  const res = await fastRequest(client, 'GET', container, 'out', { query: { path: src } });
  if (!res) return undefined;
  // Closing the connection is what lets berthd close the file (and thaw or unmount the container).
  try {
    const offer = JSON.parse(await firstLine(res.body)) as { stat: Parameters<PlaceOut>[0]; source: FastSource };
    const file = await openVerified(offer.source);
    if (!file) return fallBack('berthd\'s file could not be opened as described');
    try {
      const to = place(offer.stat);
      await placeCopy(file, to.dir, to.name, { noOverwriteDirNonDir: true });
      return tarBytes(Number(file.st.size));
    } finally {
      await file.fh.close();
    }
  } finally {
    res.body.destroy();
  }
}
