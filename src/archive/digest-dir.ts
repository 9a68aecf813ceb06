// The sha256 and length of the tar packDir would make of a tree, without making it: headers and file contents go straight into the hash.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import { SystemError } from '../errors';
import { Walker, type EntryOut, type PackOptions } from './pack';
import { encodeHeader, END_OF_ARCHIVE, padding, type TarHeader } from './tar-header';

/** Reads per file go through two reused buffers: one is hashed while the next is read. */
const READ_CHUNK = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(512);

class HashOut implements EntryOut {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  private buffers?: [Buffer, Buffer];

  constructor(private readonly signal?: AbortSignal) {}

  private update(b: Buffer): void {
    this.hash.update(b);
    this.size += b.length;
  }

  async add(header: TarHeader): Promise<void> {
    this.signal?.throwIfAborted();
    this.update(encodeHeader({ ...header, size: 0 }));
  }

  async addFile(header: TarHeader, path: string): Promise<void> {
    this.signal?.throwIfAborted();
    this.update(encodeHeader(header));
    if (header.size === 0) return;
    const bufs = (this.buffers ??= [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)]);
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      // Exactly `size` bytes, as packDir: a file that grew is cut there, one that shrank fails.
      const readAt = (pos: number, i: number) => fh.read(bufs[i]!, 0, Math.min(READ_CHUNK, header.size - pos), pos);
      let pos = 0;
      let i = 0;
      let next = readAt(0, 0);
      while (pos < header.size) {
        const { bytesRead, buffer } = await next;
        this.signal?.throwIfAborted();
        if (bytesRead === 0) throw new SystemError(`${path} shrank while it was read (${pos} of ${header.size} bytes)`);
        pos += bytesRead;
        i ^= 1;
        // The other buffer is free: read into it while this one is hashed.
        if (pos < header.size) next = readAt(pos, i);
        this.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    this.update(ZEROS.subarray(0, padding(header.size)));
  }
}

/**
 * `sha256:<hex>` and byte length of `packDir(dir, opts)`'s output, computed
 * without a stream: the same walk, the headers encoded as tar-stream encodes
 * them, each file read into reused buffers and hashed. What a layer's diffID
 * needs when nobody keeps the tar (a build step's snapshot).
 */
export async function digestDir(dir: string, opts: PackOptions = {}): Promise<{ digest: string; size: number }> {
  const out = new HashOut(opts.signal);
  await new Walker(out, opts).run(dir);
  out.hash.update(END_OF_ARCHIVE);
  return { digest: `sha256:${out.hash.digest('hex')}`, size: out.size + END_OF_ARCHIVE.length };
}
