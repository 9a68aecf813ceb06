// The build context: a hostile tar stream unpacked (bounded, safely) into a private directory, and paths resolved inside it.
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress } from '../archive/decompress';
import { extractTar } from '../archive/extract';
import { completeTarTail } from '../archive/tar-tail';
import { cleanComponents } from '../archive/securejoin';
import { InvalidParameterError, NotFoundError } from '../errors';

/** Bytes of uncompressed context accepted before the upload is refused. */
export const DEFAULT_CONTEXT_LIMIT = 8 * 1024 ** 3;

/** A stream that fails once more than `limit` bytes went through it. */
export function bounded(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new InvalidParameterError(`build context is larger than the limit of ${limit} bytes`));
      else cb(null, chunk);
    },
  });
}

/**
 * Unpack the context tar (plain or gzip) into `dir`; a tar missing only its
 * tail (as the docker CLI sends one with `-f -`) is read as dockerd reads it. Entries are confined to
 * `dir` by the archive extractor (no `..`, absolute names or symlinks lead
 * out); owners are not applied: the context belongs to the builder.
 */
export async function receiveContext(source: Readable, dir: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<void> {
  const limited = bounded(opts.limit ?? DEFAULT_CONTEXT_LIMIT);
  // One pipeline owns every stage's errors: a compressed stream found corrupt only at its end (after the
  // tar's own end was read) fails the context too, and is never an unhandled 'error' event.
  const flowing = pipeline(decompress(source), completeTarTail(), limited);
  const extracting = extractTar(limited, dir, { preserveOwners: false, signal: opts.signal });
  const [flowed, extracted] = await Promise.allSettled([flowing, extracting]);
  // The decompressor's reason beats the extractor's view of the same failure (a stream cut short).
  if (flowed.status === 'rejected') throw flowed.reason;
  if (extracted.status === 'rejected') throw extracted.reason;
}

const GLOB = /[*?[]/;

/** Go's path.Match for one path component (*, ?, [...] classes, \ escapes). */
export function matchComponent(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new InvalidParameterError(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/\\/g, '\\\\');
      else cls = cls.replace(/\\/g, '\\\\');
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(name);
}

/**
 * Resolve `rel` inside the context `root`, following symlinks only while they
 * stay inside it: a link that points out (absolutely or by climbing) or a
 * `..` above the root is refused as Docker refuses a path outside the context.
 * The final component is followed too (COPY copies what a link points at).
 */
export async function resolveInContext(root: string, rel: string, original = rel): Promise<string> {
  const outside = () => new InvalidParameterError(`forbidden path outside the build context: ${original}`);
  const pending = rel.split('/').filter((p) => p !== '' && p !== '.').reverse();
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.pop()!;
    if (part === '..') {
      if (!done.length) throw outside();
      done.pop();
      continue;
    }
    const p = path.join(root, ...done, part);
    const st = await lstat(p).catch(() => undefined);
    if (!st) throw new NotFoundError(`file not found in build context or excluded by .dockerignore: stat ${original}: file does not exist`);
    if (st.isSymbolicLink()) {
      if (++links > 40) throw new InvalidParameterError(`too many symlinks resolving ${original}`);
      const target = await readlink(p);
      if (target.startsWith('/')) throw outside();
      pending.push(...target.split('/').filter((x) => x !== '' && x !== '.').reverse());
      continue;
    }
    done.push(part);
  }
  return path.join(root, ...done);
}

/**
 * The context paths a COPY/ADD source names: itself, or every match of its
 * wildcards (sorted). A source climbing above the context is refused.
 */
export async function expandSource(root: string, src: string, resolve: (root: string, rel: string, original: string) => Promise<string> = resolveInContext): Promise<string[]> {
  const raw = src.split('/').filter((p) => p !== '' && p !== '.');
  let depth = 0;
  for (const p of raw) {
    depth += p === '..' ? -1 : 1;
    if (depth < 0) throw new InvalidParameterError(`forbidden path outside the build context: ${src}`);
  }
  const parts = cleanComponents(src);
  if (!parts.some((p) => GLOB.test(p))) return [await resolve(root, parts.join('/'), src)];
  let found: string[] = [''];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of found) {
      if (!GLOB.test(part)) {
        next.push(base ? `${base}/${part}` : part);
        continue;
      }
      const dir = await resolve(root, base, src).catch(() => undefined);
      if (!dir) continue;
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const n of names.sort()) if (matchComponent(part, n)) next.push(base ? `${base}/${n}` : n);
    }
    found = next;
  }
  const out: string[] = [];
  for (const f of found) {
    const resolved = await resolve(root, f, src).catch((err) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    if (resolved) out.push(resolved);
  }
  if (!out.length) throw new NotFoundError(`no source files were specified: ${src} matched nothing in the build context`);
  return out;
}
