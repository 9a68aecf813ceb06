// Renaming the top of a tar stream's entries on the fly (Docker's RebaseArchiveEntries), streamed entry by entry.
import { Readable } from 'node:stream';
import { extract, pack, type Header } from 'tar-stream';
import { drained } from './pack';

/** `name` with its leading `oldBase` component(s) replaced by `newBase`; other names unchanged. */
export function rebaseName(name: string, oldBase: string, newBase: string): string {
  // An archive of the root ("/", "/bin", …) is rebased as a whole, as Docker does.
  if (oldBase === '/') return `${newBase}${name.startsWith('/') ? '' : '/'}${name}`;
  if (name === oldBase || name === `${oldBase}/`) return name.replace(oldBase, newBase);
  if (name.startsWith(`${oldBase}/`)) return newBase + name.slice(oldBase.length);
  return name;
}

interface EntrySink {
  write(chunk: Buffer): boolean;
  end(): void;
  once(event: 'drain' | 'close', fn: () => void): void;
  off(event: 'drain' | 'close', fn: () => void): void;
}

/**
 * A tar stream like `source` with every entry (and hardlink target) under
 * `oldBase` renamed under `newBase`: `a/x` → `b/x` for ("a", "b"). File
 * bodies flow through with backpressure; an error on either side destroys
 * the result.
 */
export function rebaseTar(source: Readable, oldBase: string, newBase: string): Readable {
  const ex = extract();
  const out = pack();
  source.on('error', (err) => ex.destroy(err));
  source.pipe(ex as unknown as NodeJS.WritableStream);
  (async () => {
    for await (const entry of ex) {
      const h: Header = { ...entry.header, name: rebaseName(entry.header.name, oldBase, newBase) };
      if (h.type === 'link' && h.linkname) h.linkname = rebaseName(h.linkname, oldBase, newBase);
      await new Promise<void>((resolve, reject) => {
        const cb = (err?: Error | null) => (err ? reject(err) : resolve());
        if (h.type !== 'file' && h.type !== 'contiguous-file') {
          out.entry(h, cb);
          entry.resume();
          return;
        }
        const sink = out.entry(h, cb) as unknown as EntrySink;
        (async () => {
          for await (const chunk of entry as AsyncIterable<Buffer>) {
            if (!sink.write(chunk)) await drained(sink);
          }
          sink.end();
        })().catch(reject);
      });
    }
    out.finalize();
  })().catch((err: Error) => {
    ex.destroy(err);
    out.destroy(err);
  });
  return Readable.from(out as AsyncIterable<Buffer>, { objectMode: false });
}
