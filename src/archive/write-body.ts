// Writing a tar entry's body into an open file: chunks gathered into ~1 MiB writes, one write in flight while the next batch fills.

/** The part of a tar entry's body (tar-stream hands a streamx Readable) used here. */
export interface EntryBody {
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  off(event: 'data', fn: (chunk: Buffer) => void): unknown;
  off(event: 'end' | 'close', fn: () => void): unknown;
  off(event: 'error', fn: (err: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  /** Set once the body was destroyed (its input failed), maybe before anyone listened. */
  readonly destroyed: boolean;
}

/** The part of a FileHandle used here (an open file, or a wrapper around one). */
export interface BodyFile {
  write(buffer: Buffer, offset: number): Promise<{ bytesWritten: number }>;
  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }>;
}

/** Small writes are several times slower on disk; bigger batches only hold more memory. */
export const WRITE_BATCH = 1 << 20;

/**
 * Write all of `body` to `fh`. Chunks arrive as events (no promise per
 * chunk: a 200 MB copy has thousands); when a batch is full while the
 * previous one is still being written, `body` is paused until that write is
 * done, so at most two batches are held. Rejects on the first write error,
 * an error of `body`, or a body that closes before its end.
 */
export function writeBody(fh: BodyFile, body: EntryBody): Promise<void> {
  // Destroyed while the file was being opened: its 'error' and 'close' were emitted to nobody.
  if (body.destroyed) return Promise.reject(new Error('premature close'));
  return new Promise((resolve, reject) => {
    let batch: Buffer[] = [];
    let batched = 0;
    let writing = false;
    let ended = false;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', settle);
      body.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    // Runs whenever no write is in flight.
    const next = () => {
      if (batched < WRITE_BATCH && !(ended && batched > 0)) {
        if (ended) settle();
        return;
      }
      const chunks = batch;
      const total = batched;
      batch = [];
      batched = 0;
      writing = true;
      writeAll(fh, chunks, total).then(() => {
        writing = false;
        if (!settled) next();
      }, settle);
      if (!ended) body.resume();
    };
    const onData = (chunk: Buffer) => {
      batch.push(chunk);
      batched += chunk.length;
      if (batched < WRITE_BATCH) return;
      if (writing) body.pause();
      else next();
    };
    const onEnd = () => {
      ended = true;
      if (!writing) next();
    };
    const onClose = () => { if (!ended) settle(new Error('premature close')); };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', settle);
    body.on('close', onClose);
  });
}

async function writeAll(fh: BodyFile, chunks: Buffer[], total: number): Promise<void> {
  const { bytesWritten } = await fh.writev(chunks);
  // A short write (rare on files) is finished from where it stopped.
  if (bytesWritten < total) {
    const rest = Buffer.concat(chunks).subarray(bytesWritten);
    for (let off = 0; off < rest.length;) off += (await fh.write(rest, off)).bytesWritten;
  }
}
