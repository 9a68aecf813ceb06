// Per-key serialisation: operations on one container or volume run one after another, different keys in parallel.

export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Run `fn` after every earlier operation on the same key has settled (whatever its outcome). */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.tails.set(key, next);
    const cleanup = () => { if (this.tails.get(key) === next) this.tails.delete(key); };
    next.then(cleanup, cleanup);
    return next;
  }
}
