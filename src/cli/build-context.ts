// What `berth build` uploads: a folder packed with .dockerignore applied, a tarball as it is, or stdin (a tar, or a lone Dockerfile).
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { looksLikeArchive } from '../archive/is-archive';
import { packDir } from '../archive/pack';
import { StatusError } from './context';

export interface BuildContext {
  body: Readable;
  /** The `dockerfile` parameter: the Dockerfile's path inside the uploaded context. */
  dockerfile: string;
}

/** The .dockerignore matcher of a folder, never leaving out the Dockerfile or .dockerignore (the daemon needs them). */
function ignoreFilter(dir: string, keep: string[]): { include(rel: string): boolean; descend(rel: string): boolean } | undefined {
  const file = path.join(dir, '.dockerignore');
  if (!existsSync(file)) return undefined;
  const patterns = readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const ignore = (require('@balena/dockerignore') as typeof import('@balena/dockerignore')).default().add(patterns);
  const exceptions = patterns.some((p) => p.startsWith('!'));
  return {
    include: (rel) => keep.includes(rel) || !ignore.ignores(rel),
    // An excluded folder is walked only when some `!pattern` could bring a path under it back.
    descend: () => exceptions,
  };
}

/** stdin: a tar context as it is, or a Dockerfile alone wrapped as the only file of an empty context. */
async function fromStdin(dockerfile: string | undefined): Promise<BuildContext> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = process.stdin[Symbol.asyncIterator]();
  while (size < 1024) {
    const r = await it.next();
    if (r.done) break;
    chunks.push(r.value as Buffer);
    size += (r.value as Buffer).length;
  }
  const head = Buffer.concat(chunks);
  if (looksLikeArchive(head)) {
    const rest = async function* () {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
    };
    return { body: Readable.from(rest()), dockerfile: dockerfile ?? 'Dockerfile' };
  }
  const text: Buffer[] = [head];
  for (let r = await it.next(); !r.done; r = await it.next()) text.push(r.value as Buffer);
  const p = pack();
  p.entry({ name: 'Dockerfile', mode: 0o644 }, Buffer.concat(text).toString('utf8'));
  p.finalize();
  return { body: Readable.from(p as AsyncIterable<Buffer>), dockerfile: 'Dockerfile' };
}

export async function buildContext(source: string, dockerfile: string | undefined): Promise<BuildContext> {
  if (source === '-') {
    if (dockerfile === '-') throw new StatusError(125, 'invalid argument: can\'t use stdin for both build context and dockerfile');
    return fromStdin(dockerfile);
  }
  if (/^(https?|git):\/\/|^git@/.test(source)) throw new StatusError(1, `building from a URL context is not supported by berth: ${source}`);
  let st;
  try {
    st = statSync(source);
  } catch {
    throw new StatusError(1, `unable to prepare context: path "${source}" not found`);
  }
  if (!st.isDirectory()) return { body: createReadStream(source), dockerfile: dockerfile ?? 'Dockerfile' };
  const dir = path.resolve(source);
  const dfPath = path.resolve(dockerfile === undefined ? path.join(dir, 'Dockerfile') : dockerfile === '-' ? '-' : dockerfile);
  let name: string;
  const extraFiles: Array<{ name: string; path: string }> = [];
  let scratch: string | undefined;
  if (dockerfile === '-') {
    // The Dockerfile from stdin travels inside the context under a private name, as docker sends it.
    scratch = mkdtempSync(path.join(tmpdir(), 'berth-build-'));
    name = `.dockerfile.${randomBytes(10).toString('hex')}`;
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    writeFileSync(path.join(scratch, 'Dockerfile'), Buffer.concat(chunks));
    extraFiles.push({ name, path: path.join(scratch, 'Dockerfile') });
  } else if (!existsSync(dfPath)) {
    throw new StatusError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${dfPath}: no such file or directory`);
  } else if (dfPath.startsWith(dir + path.sep)) {
    name = path.relative(dir, dfPath).split(path.sep).join('/');
  } else {
    // A Dockerfile outside the folder travels inside the context under a private name, as docker sends it.
    name = `.dockerfile.${randomBytes(10).toString('hex')}`;
    extraFiles.push({ name, path: dfPath });
  }
  const filter = ignoreFilter(dir, [name, '.dockerignore']);
  const body = packDir(dir, { hardlinks: true, extraFiles, ...(filter ? { filter } : {}) });
  if (scratch) body.once('close', () => rmSync(scratch!, { recursive: true, force: true }));
  return { body, dockerfile: name };
}
