// Files a copy replaces, held open across their unlink so the kernel frees their blocks when they are closed (after the answer), not in the unlink.
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { OPEN_REGULAR } from './place-file';

/** Smaller files free fast enough: holding them would cost more syscalls than it saves. */
const MIN_SIZE = 1 << 20;
/** Never more fds than this for one copy (a tar of many big files): past it, files are freed in place as before. */
const MAX_HELD = 16;

/**
 * The old files of one copy. `hold` is called just before a replace unlinks
 * `target`; `release` closes them all (in the threadpool, where the freeing
 * then happens). Every holder must call `release` on every path.
 */
export class HeldFiles {
  private held: FileHandle[] = [];

  /**
   * Open `target` (never followed, never blocking) when it is the last link
   * of a big regular file, as `existing` (its lstat) describes it; anything
   * else, or any failure, leaves it to be freed by the unlink.
   */
  async hold(target: string, existing: Stats): Promise<void> {
    if (!existing.isFile() || existing.nlink !== 1 || existing.size < MIN_SIZE || this.held.length >= MAX_HELD) return;
    const fh = await open(target, OPEN_REGULAR).catch(() => undefined);
    if (!fh) return;
    // Only the file lstat saw is kept: anything put there meanwhile is closed again at once.
    const st = await fh.stat().catch(() => undefined);
    if (st?.isFile() && st.ino === existing.ino && st.dev === existing.dev) this.held.push(fh);
    else await fh.close().catch(() => undefined);
  }

  /** Close every held file; failures are ignored (the file is gone either way). */
  async release(): Promise<void> {
    const held = this.held;
    this.held = [];
    await Promise.all(held.map((fh) => fh.close().catch(() => undefined)));
  }

  /** Release once `res` is done (answered or abandoned): the freeing comes after the response. Settles when released. */
  releaseAfter(res: ServerResponse): Promise<void> {
    if (res.closed) return this.release();
    return new Promise((done) => res.once('close', () => done(this.release())));
  }
}
