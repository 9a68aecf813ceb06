// sha256 of long streams on worker threads: the bytes are copied into 1 MiB batches handed over (not cloned) to a small pool of hashing threads.
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Bytes per message to a hashing thread: few enough messages that their cost is noise, small enough to keep little memory. */
export const BATCH_BYTES = 1 << 20;
/** Batches of one hash on their way or being hashed; a writer beyond this waits (backpressure). */
const MAX_IN_FLIGHT = 3;
/** Threads hashing for the whole process, made when a first long stream needs them. */
const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism()));

/** Main → thread: start, data (a transferred batch), end, drop. Thread → main: the batch back, or the digest. */
type ToThread = { op: 'data'; id: number; buf: ArrayBuffer; len: number } | { op: 'end' | 'drop'; id: number };
type FromThread = { op: 'buf'; id: number; buf: ArrayBuffer } | { op: 'digest'; id: number; hex: string };

// Inline (eval) so a bundled CLI needs no file beside it.
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'data') {
    let h = hashes.get(m.id);
    if (!h) hashes.set(m.id, (h = createHash('sha256')));
    h.update(new Uint8Array(m.buf, 0, m.len));
    parentPort.postMessage({ op: 'buf', id: m.id, buf: m.buf }, [m.buf]);
  } else if (m.op === 'end') {
    const h = hashes.get(m.id) ?? createHash('sha256');
    hashes.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, hex: h.digest('hex') });
  } else hashes.delete(m.id);
});
`;

interface Job {
  onBuffer(buf: ArrayBuffer): void;
  onDigest(hex: string): void;
  onError(err: Error): void;
}

/**
 * One hashing thread and the hashes it is working on. It keeps the process
 * alive only while someone awaits it (a digest, or room for more bytes): a
 * stream dropped half-way without being destroyed must not keep a daemon
 * from exiting.
 */
class HashThread {
  private readonly worker: Worker;
  private readonly jobs = new Map<number, Job>();
  private failed: Error | undefined;
  private waiters = 0;

  constructor() {
    this.worker = new Worker(THREAD_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (m: FromThread) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      if (m.op === 'buf') job.onBuffer(m.buf);
      else {
        this.forget(m.id);
        job.onDigest(m.hex);
      }
    });
    const fail = (err: Error) => {
      this.failed = err;
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const j of jobs) j.onError(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`hashing thread exited (${code})`)));
  }

  get load(): number {
    return this.failed ? Infinity : this.jobs.size;
  }

  add(id: number, job: Job): void {
    if (this.failed) throw this.failed;
    this.jobs.set(id, job);
  }

  send(m: ToThread): void {
    if (m.op === 'drop') this.forget(m.id);
    this.worker.postMessage(m, m.op === 'data' ? [m.buf] : []);
  }

  private forget(id: number): void {
    this.jobs.delete(id);
  }

  /** Keep the process alive until `p` settles (someone is waiting on this thread). */
  awaited<T>(p: Promise<T>): Promise<T> {
    if (this.waiters++ === 0) this.worker.ref();
    const done = () => { if (--this.waiters === 0) this.worker.unref(); };
    p.then(done, done);
    return p;
  }
}

let pool: HashThread[] | undefined;
let nextId = 1;

/** The least busy thread of the process's pool (made on first use; a failed thread is replaced). */
function pickThread(): HashThread {
  pool ??= [];
  for (let i = 0; i < pool.length; i++) if (pool[i].load === Infinity) pool[i] = new HashThread();
  if (pool.length < POOL_SIZE) {
    const t = new HashThread();
    pool.push(t);
    return t;
  }
  return pool.reduce((a, b) => (b.load < a.load ? b : a));
}

/**
 * An incremental sha256 like crypto's Hash, for streams that may be long.
 * The first BATCH_BYTES are only held; a stream that ends within them is
 * hashed here (no thread for a config or a manifest). Past that, every
 * chunk is copied at once into a batch buffer (so the stream's chunks are
 * not kept alive), and full batches are hashed on a pool thread, in order.
 * `update` returns a promise when all MAX_IN_FLIGHT batches are out and the
 * one being filled is full: wait for it before the next update. `destroy`
 * abandons the hash.
 */
export class OffloadedHash {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private thread: HashThread | undefined;
  private readonly id = nextId++;
  /** Batch buffers back from the thread, and how many were ever made (at most MAX_IN_FLIGHT + the one being filled). */
  private free: ArrayBuffer[] = [];
  private made = 0;
  private current: Uint8Array | undefined;
  private currentLen = 0;
  private waiting: (() => void) | undefined;
  private result: Promise<string> | undefined;
  private resolveDigest!: (hex: string) => void;
  private rejectDigest!: (err: Error) => void;
  private error: Error | undefined;
  private finished = false;

  update(chunk: Buffer): Promise<void> | undefined {
    if (this.error) return Promise.reject(this.error);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (!this.thread) {
      if (this.heldBytes < BATCH_BYTES) return undefined;
      this.thread = this.start();
    }
    this.pump();
    if (!this.held.length) return undefined;
    return this.thread.awaited(new Promise((resolve, reject) => {
      this.waiting = () => {
        if (this.error) {
          this.waiting = undefined;
          return reject(this.error);
        }
        this.pump();
        if (this.held.length) return;
        this.waiting = undefined;
        resolve();
      };
    }));
  }

  /** The hex digest of everything given to update (call once, after the last update settled). */
  digest(): Promise<string> {
    if (this.error) return Promise.reject(this.error);
    if (!this.thread) {
      this.finished = true;
      const h: Hash = createHash('sha256');
      for (const c of this.held) h.update(c);
      this.held = [];
      return Promise.resolve(h.digest('hex'));
    }
    if (this.current && this.currentLen) this.send();
    this.thread.send({ op: 'end', id: this.id });
    return this.thread.awaited(this.result!);
  }

  destroy(): void {
    if (this.finished) return;
    this.held = [];
    this.heldBytes = 0;
    this.free = [];
    this.current = undefined;
    if (this.thread && !this.error) this.thread.send({ op: 'drop', id: this.id });
    this.error ??= new Error('hash destroyed');
  }

  private start(): HashThread {
    this.result = new Promise<string>((resolve, reject) => {
      this.resolveDigest = resolve;
      this.rejectDigest = reject;
    });
    this.result.catch(() => undefined);
    const t = pickThread();
    t.add(this.id, {
      onBuffer: (buf) => {
        if (!this.error) this.free.push(buf);
        this.waiting?.();
      },
      onDigest: (hex) => {
        this.finished = true;
        this.resolveDigest(hex);
      },
      onError: (err) => {
        this.error = err;
        this.rejectDigest(err);
        this.waiting?.();
      },
    });
    return t;
  }

  /** Copy what is held into batch buffers while there are buffers to fill, handing over each full one. */
  private pump(): void {
    while (this.held.length) {
      if (!this.current) {
        const buf = this.free.pop() ?? (this.made <= MAX_IN_FLIGHT ? (this.made++, new ArrayBuffer(BATCH_BYTES)) : undefined);
        if (!buf) return;
        this.current = new Uint8Array(buf);
        this.currentLen = 0;
      }
      const c = this.held[0];
      const n = Math.min(c.length, BATCH_BYTES - this.currentLen);
      this.current.set(n === c.length ? c : c.subarray(0, n), this.currentLen);
      this.currentLen += n;
      this.heldBytes -= n;
      if (n === c.length) this.held.shift();
      else this.held[0] = c.subarray(n);
      if (this.currentLen === BATCH_BYTES) this.send();
    }
  }

  /** Hand the batch being filled over to the thread (transferred, not cloned). */
  private send(): void {
    const buf = this.current!.buffer as ArrayBuffer;
    const len = this.currentLen;
    this.current = undefined;
    this.currentLen = 0;
    this.thread!.send({ op: 'data', id: this.id, buf, len });
  }
}
