// Building small tar streams in memory for tests (including hostile ones no real tar tool would write).
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';

export type FixtureEntry = Parameters<ReturnType<typeof pack>['entry']>[0] & { data?: string | Buffer };

/** The bytes of a tar holding `entries` in order, exactly as given (names are not cleaned). */
export async function tarBuffer(entries: FixtureEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const { data, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const body = data === undefined ? undefined : Buffer.from(data);
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) p.entry({ ...header, size: body.length }, body, cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** A stream of the tar of `entries`. */
export async function tarStream(entries: FixtureEntry[]): Promise<Readable> {
  return Readable.from([await tarBuffer(entries)], { objectMode: false });
}

/** Names and types of the entries of a tar buffer, in order. */
export async function listTar(buf: Buffer): Promise<{ name: string; type: string; linkname?: string; size: number; mode: number; uid: number; gid: number }[]> {
  const { extract } = await import('tar-stream');
  const ex = extract();
  const out: { name: string; type: string; linkname?: string; size: number; mode: number; uid: number; gid: number }[] = [];
  const done = (async () => {
    for await (const e of ex) {
      const h = e.header;
      out.push({ name: h.name, type: h.type, ...(h.linkname ? { linkname: h.linkname } : {}), size: h.size, mode: h.mode, uid: h.uid, gid: h.gid });
      e.resume();
    }
  })();
  ex.end(buf);
  await done;
  return out;
}
