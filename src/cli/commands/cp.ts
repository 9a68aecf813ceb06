// `berth cp`: files and folders between a container and the local filesystem, with docker cp's copy rules and messages.
import * as fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { EngineClient } from '../../client/engine-client';
import { isApiError } from '../../client/errors';
import { subcommand } from '../command';
import { StatusError, clientFor, writeErr } from '../context';
import { humanSize } from '../../units/human';
import { fastCopyIn, fastCopyOut } from './cp-fast';

interface CpOptions {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

/** What one side of the copy is: Docker's archive.CopyInfo. */
interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName?: string;
}

interface ContainerStat {
  name: string;
  size: number;
  mode: number;
  linkTarget: string;
}

const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const isDirMode = (m: number) => m >= GO_DIR;
const isLinkMode = (m: number) => Math.floor(m / GO_SYMLINK) % 2 === 1;

export function registerCp(parent: Command, name: string): Command {
  return subcommand(parent, name, '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    'Copy files/folders between a container and the local filesystem')
    .argument('<src>').argument('<dest>')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached')
    .action(async (src: string, dest: string, opts: CpOptions, cmd: Command) => {
      if (!src) throw new StatusError(1, 'source can not be empty');
      if (!dest) throw new StatusError(1, 'destination can not be empty');
      const from = splitCpArg(src);
      const to = splitCpArg(dest);
      if (from.container && to.container) throw new StatusError(1, 'copying between containers is not supported');
      if (from.container) return copyFromContainer(clientFor(cmd), from.container, from.path, to.path, opts);
      if (to.container) return copyToContainer(clientFor(cmd), from.path, to.container, to.path, opts);
      throw new StatusError(1, 'must specify at least one container source');
    });
}

/** "CONTAINER:PATH" or a local path (absolute, or starting with "." so "./a:b" stays local). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** A trailing "/." means "the contents of"; Docker's specifiesCurrentDir. */
function specifiesCurrentDir(p: string): boolean {
  return p === '.' || p.endsWith('/.');
}

function assertsDirectory(p: string): boolean {
  return p.endsWith('/') || specifiesCurrentDir(p);
}

/** Docker's SplitPathDirEntry: the parent and the entry, "/a/." → ["/a", "."]. */
function splitDirEntry(p: string): [string, string] {
  let cleaned = path.posix.normalize(p);
  if (cleaned.length > 1) cleaned = cleaned.replace(/\/+$/, '');
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return [path.posix.dirname(cleaned), path.posix.basename(cleaned) || '/'];
}

/** An absolute local path, keeping a trailing "/" or "/.". */
function resolveLocalPath(p: string): string {
  const abs = path.resolve(p);
  if (specifiesCurrentDir(p)) return abs === '/' ? '/.' : `${abs}/.`;
  if (p.endsWith('/') && abs !== '/') return `${abs}/`;
  return abs;
}

/** If following a link changed the name, the archive's entries are renamed back (Docker's GetRebaseName). */
function rebaseFor(original: string, resolved: string): { path: string; rebaseName?: string } {
  let out = resolved;
  if (specifiesCurrentDir(original)) out += '/.';
  else if (original.endsWith('/')) out += '/';
  const a = splitDirEntry(original)[1];
  const b = splitDirEntry(out)[1];
  return { path: out, rebaseName: a !== b ? a : undefined };
}

async function statPath(client: EngineClient, container: string, p: string): Promise<ContainerStat> {
  const res = await client.request('HEAD', `/containers/${encodeURIComponent(container)}/archive`, { query: { path: p } });
  res.body.resume();
  return decodeStat(res.headers['x-docker-container-path-stat']);
}

function decodeStat(header: string | string[] | undefined): ContainerStat {
  const text = Buffer.from(String(header ?? ''), 'base64').toString('utf8');
  try {
    return JSON.parse(text) as ContainerStat;
  } catch {
    throw new StatusError(1, 'unable to decode container path stat header');
  }
}

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const what: Record<string, string> = { ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EACCES: 'permission denied', ELOOP: 'too many levels of symbolic links' };
  return `${e.syscall ?? 'lstat'} ${e.path ?? ''}: ${(e.code && what[e.code]) || e.message}`;
}

async function copyFromContainer(client: EngineClient, container: string, srcPath: string, dstArg: string, opts: CpOptions): Promise<void> {
  const toStdout = dstArg === '-';
  const dstPath = toStdout ? dstArg : resolveLocalPath(dstArg);
  if (!toStdout) {
    const dir = path.dirname(dstPath.replace(/\/\.?$/, '') || '/');
    if (!fs.existsSync(dir)) throw new StatusError(1, `invalid output path: directory "${dir}" does not exist`);
  }
  let src = srcPath;
  let rebaseName: string | undefined;
  if (opts.followLink) {
    const st = await statPath(client, container, srcPath).catch(() => undefined);
    if (st && isLinkMode(st.mode)) {
      const target = st.linkTarget.startsWith('/') ? st.linkTarget : path.posix.join(splitDirEntry(srcPath)[0], st.linkTarget);
      ({ path: src, rebaseName } = rebaseFor(srcPath, target));
    }
  }
  if (!toStdout) {
    const fast = await fastCopyOut(client, container, src, (stat) => {
      const plan = copyPlan({ path: src, exists: true, isDir: isDirMode(stat.mode), rebaseName }, localDestination(dstPath));
      return { dir: plan.dir, name: plan.rename?.to ?? rebaseName ?? splitDirEntry(src)[1] };
    });
    if (fast !== undefined) return reportCopied(opts, fast, dstPath);
  }
  const res = await client.request('GET', `/containers/${encodeURIComponent(container)}/archive`, { query: { path: src } });
  const stat = decodeStat(res.headers['x-docker-container-path-stat']);
  if (toStdout) {
    await pipeline(res.body, process.stdout);
    return;
  }
  const counted = countBytes(res.body);
  const srcInfo: CopyInfo = { path: src, exists: true, isDir: isDirMode(stat.mode), rebaseName };
  await copyTo(counted.stream, srcInfo, dstPath).catch((err) => {
    res.body.destroy();
    throw err;
  });
  await reportCopied(opts, counted.bytes(), dstPath);
}

/** The stream, passed through, and how many bytes went by. */
function countBytes(source: Readable): { stream: Readable; bytes: () => number } {
  let n = 0;
  const stream = new PassThrough();
  source.on('error', (err) => stream.destroy(err));
  source.on('data', (c: Buffer) => { n += c.length; });
  source.pipe(stream);
  return { stream, bytes: () => n };
}

/** docker's closing line, shown only on a terminal (as its progress output is) and not with -q. */
async function reportCopied(opts: CpOptions, bytes: number, where: string): Promise<void> {
  if (opts.quiet || !process.stderr.isTTY) return;
  await writeErr(`Successfully copied ${humanSize(bytes)} to ${where}\n`);
}

/** Docker's CopyInfoDestinationPath for a local path: links followed, a missing path needs its parent. */
function localDestination(p: string): CopyInfo {
  let cur = p;
  let st = lstatOrUndefined(cur);
  for (let n = 0; st?.isSymbolicLink(); n++) {
    if (n > 10) throw new StatusError(1, `too many symlinks in ${p}`);
    const target = fs.readlinkSync(cur);
    cur = target.startsWith('/') ? target : path.join(splitDirEntry(cur)[0], target);
    st = lstatOrUndefined(cur);
  }
  if (st) return { path: cur, exists: true, isDir: st.isDirectory() };
  const parent = splitDirEntry(cur)[0];
  let pst: fs.Stats;
  try {
    pst = fs.statSync(parent);
  } catch (err) {
    throw new StatusError(1, errnoText(Object.assign(err as object, { syscall: 'stat' })));
  }
  if (!pst.isDirectory()) throw new StatusError(1, 'not a directory');
  return { path: cur, exists: false, isDir: false };
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StatusError(1, errnoText(err));
  }
}

/**
 * Docker's PrepareArchiveCopy, as a plan: the directory to extract into, and
 * the renaming of the archive's top entry (`from` → `to`) so that it lands at
 * the destination's name. The archive is named after `src` (its rebaseName when set).
 */
function copyPlan(src: CopyInfo, dst: CopyInfo): { dir: string; rename?: { from: string; to: string } } {
  const [dstDir, dstBase] = splitDirEntry(dst.path);
  const srcBase = src.rebaseName ?? splitDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dir: dst.path };
  if (dst.exists && src.isDir) throw new StatusError(1, 'cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new StatusError(1, 'no such directory');
  return { dir: dstDir, rename: { from: srcBase, to: dstBase } };
}

async function copyTo(content: Readable, src: CopyInfo, dstPath: string): Promise<void> {
  const plan = copyPlan(src, localDestination(dstPath));
  // The archive is named after the path asked for; -L's renaming and the destination's are applied in one go.
  const from = splitDirEntry(src.path)[1];
  const to = plan.rename?.to ?? src.rebaseName;
  const { extractTar } = require('../../archive/extract') as typeof import('../../archive/extract');
  // Like docker's client: the files belong to whoever runs the copy.
  await extractTar(content, plan.dir, { preserveOwners: false, noOverwriteDirNonDir: true, rename: to !== undefined ? { from, to } : undefined });
}

async function copyToContainer(client: EngineClient, srcArg: string, container: string, dstPath: string, opts: CpOptions): Promise<void> {
  const fromStdin = srcArg === '-';
  const dst: CopyInfo = { path: dstPath, exists: false, isDir: false };
  let st = await statPath(client, container, dstPath).catch(async (err) => {
    if (!isApiError(err, 404) && !isApiError(err, 400)) throw err;
    // A HEAD 404 has no body: tell a missing container (an error) from a missing path (fine) before uploading.
    if (isApiError(err, 404)) await client.request('GET', `/containers/${encodeURIComponent(container)}/json`).then((r) => r.body.resume());
    return undefined;
  });
  if (st && isLinkMode(st.mode)) {
    dst.path = st.linkTarget.startsWith('/') ? st.linkTarget : path.posix.join(splitDirEntry(dstPath)[0], st.linkTarget);
    st = await statPath(client, container, dst.path).catch(() => undefined);
  }
  if (st) {
    dst.exists = true;
    dst.isDir = isDirMode(st.mode);
  }
  let content: Readable;
  let target: string;
  if (fromStdin) {
    if (!dst.isDir) throw new StatusError(1, `destination "${container}:${dstPath}" must be a directory`);
    content = process.stdin;
    target = dst.path;
  } else {
    const src = localSource(resolveLocalPath(srcArg), !!opts.followLink);
    const { packDir } = require('../../archive/pack') as typeof import('../../archive/pack');
    // The entries are named for where they land (Docker's TarResource, then PrepareArchiveCopy's renaming).
    const plan = copyPlan(src, dst);
    const name = plan.rename?.to ?? src.rebaseName ?? splitDirEntry(src.path)[1];
    const fast = src.isDir ? undefined : await fastCopyIn(client, src.path, container, plan.dir, name, !!opts.archive);
    if (fast !== undefined) return reportCopied(opts, fast, `${container}:${dst.path}`);
    content = packDir(src.path.replace(/\/\.$/, '') || '/', { prefix: name });
    target = plan.dir;
  }
  const counted = countBytes(content);
  const res = await client.request('PUT', `/containers/${encodeURIComponent(container)}/archive`, {
    query: { path: target, noOverwriteDirNonDir: true, copyUIDGID: !!opts.archive },
    headers: { 'Content-Type': 'application/x-tar' },
    body: counted.stream,
  });
  res.body.resume();
  await reportCopied(opts, counted.bytes(), `${container}:${dst.path}`);
}

/** Docker's CopyInfoSourcePath: links before the last name are followed; the last one only with -L. */
function localSource(p: string, followLink: boolean): CopyInfo {
  let resolved: string;
  let rebaseName: string | undefined;
  try {
    if (followLink) {
      ({ path: resolved, rebaseName } = rebaseFor(p, fs.realpathSync(p.replace(/\/\.?$/, '') || '/')));
    } else {
      const [dir, base] = splitDirEntry(p);
      resolved = path.join(fs.realpathSync(dir), base) + (specifiesCurrentDir(p) ? '/.' : '');
    }
    const st = fs.lstatSync(resolved.replace(/\/\.$/, '') || '/');
    return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw new StatusError(1, errnoText(err));
  }
}
