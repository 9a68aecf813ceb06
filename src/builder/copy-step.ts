// Preparing a COPY/ADD step: flags, sources (context, another stage or image, heredocs, URLs), destination, and the digest its cache key needs.
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cleanComponents, resolveInRoot } from '../archive/securejoin';
import { InvalidParameterError, NotFoundError, NotImplementedError } from '../errors';
import type { Host } from '../host';
import type { Image, ImageService } from '../services/images';
import { chainIDs, type Snapshotter } from '../stores/snapshots';
import { bounded, DEFAULT_CONTEXT_LIMIT, expandSource } from './context';
import { copyInto, digestSources, resolveChown, type CopySource } from './copy';
import { DockerfileParseError, instructionFlags, type Instruction } from './dockerfile/parser';
import { expand, expansionVars, type StageState } from './state';

export interface CopyStepDeps {
  images: ImageService;
  snapshots: Snapshotter;
  host: Host;
  signal?: AbortSignal;
}

export interface CopyEnv {
  contextDir: string;
  /** The image a stage name/index refers to (null: a stage that made none), or undefined when it names no stage. */
  stageImage(ref: string): Image | null | undefined;
  /** A fresh private directory path (not created). */
  mountDir(): string;
}

export interface PreparedCopy {
  /** What the result depends on besides parent and instruction: the sources' digest, destination, owner, mode. */
  key: unknown;
  createdBy: string;
  /** Copy into the mounted root of the new snapshot. */
  apply(root: string): Promise<void>;
  /** Unmount a --from image and drop temp files. */
  release(): Promise<void>;
}

const HEREDOC_WORD = /^<<-?(["']?)([\w.-]+)\1$/;

/** Resolve inside a mounted image as if it were "/" (chroot semantics): nothing there can point outside it. */
async function resolveInImage(root: string, rel: string, original: string): Promise<string> {
  const p = await resolveInRoot(root, cleanComponents(rel));
  if (!(await lstat(p).catch(() => undefined))) throw new NotFoundError(`failed to compute cache key: "/${cleanComponents(original).join('/')}" not found`);
  return p;
}

async function download(url: string, dir: string, signal?: AbortSignal): Promise<CopySource> {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  if (!name) throw new InvalidParameterError(`cannot determine filename from url: ${url}`);
  const res = await fetch(url, { signal, redirect: 'follow' }).catch((err: Error) => {
    throw new InvalidParameterError(`failed to GET ${url}: ${err.message}`);
  });
  if (!res.ok || !res.body) throw new InvalidParameterError(`failed to GET ${url} with status ${res.status} ${res.statusText}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, name);
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), bounded(DEFAULT_CONTEXT_LIMIT), createWriteStream(file, { mode: 0o600 }));
  const modified = Date.parse(res.headers.get('last-modified') ?? '');
  if (!Number.isNaN(modified)) await utimes(file, new Date(modified), new Date(modified));
  return { hostPath: file, name, remote: true };
}

/** Replace $VAR and ${VAR} in an unquoted heredoc body (quotes and other text stay as written). */
function expandHeredoc(s: StageState, body: string): string {
  const vars = expansionVars(s);
  return body.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_m, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? '');
}

export async function copyStep(deps: CopyStepDeps, s: StageState, ins: Instruction, env: CopyEnv): Promise<PreparedCopy> {
  const isAdd = ins.cmd === 'ADD';
  const flags = instructionFlags(ins, isAdd ? ['chown', 'chmod', 'checksum', 'keep-git-dir', 'link'] : ['from', 'chown', 'chmod', 'link']);
  if (flags.has('checksum') || flags.has('keep-git-dir')) throw new NotImplementedError(`ADD --checksum and --keep-git-dir are not supported by berth's builder`);
  const words = ins.args.map((a) => (HEREDOC_WORD.test(a) ? a : expand(s, a).value));
  const rawDest = words[words.length - 1]!;
  const destIsDir = /(^|\/)\.?$/.test(rawDest) || rawDest.endsWith('/');
  let dest = path.posix.resolve(s.run.WorkingDir || '/', rawDest);
  if (destIsDir && !dest.endsWith('/')) dest += '/';
  const chown = flags.has('chown') ? expand(s, flags.get('chown')!).value : undefined;
  const chmodText = flags.get('chmod');
  if (chmodText !== undefined && !/^[0-7]{3,4}$/.test(chmodText)) throw new DockerfileParseError(ins.line, `invalid chmod parameter: ${chmodText}`);
  const mode = chmodText === undefined ? undefined : parseInt(chmodText, 8);

  const cleanups: Array<() => Promise<void>> = [];
  const release = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    let root = env.contextDir;
    let resolver: typeof resolveInImage | undefined;
    let fromId: string | undefined;
    if (flags.has('from')) {
      const ref = expand(s, flags.get('from')!).value;
      const stage = env.stageImage(ref);
      if (stage === null) throw new InvalidParameterError(`stage ${ref} produced no image to copy from`);
      const image = stage ?? await deps.images.get(ref);
      fromId = image.record.id;
      root = env.mountDir();
      await mkdir(root, { recursive: true, mode: 0o700 });
      cleanups.push(() => rm(root, { recursive: true, force: true }));
      const diffs = image.config.rootfs.diff_ids;
      if (diffs.length) {
        await deps.host.mount(await deps.snapshots.mounts(chainIDs(diffs)[diffs.length - 1]!), root);
        cleanups.push(() => deps.host.unmount(root));
      }
      resolver = resolveInImage;
    }
    const scratch = env.mountDir();
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const sources: CopySource[] = [];
    for (const src of words.slice(0, -1)) {
      const heredoc = HEREDOC_WORD.exec(src);
      const doc = heredoc && ins.heredocs.find((h) => h.name === heredoc[2]);
      if (doc) {
        await mkdir(path.join(scratch, 'heredoc'), { recursive: true, mode: 0o700 });
        const file = path.join(scratch, 'heredoc', doc.name);
        await writeFile(file, doc.expand ? expandHeredoc(s, doc.body) : doc.body, { mode: 0o644 });
        sources.push({ hostPath: file, name: doc.name });
      } else if (/^https?:\/\//i.test(src)) {
        if (!isAdd) throw new DockerfileParseError(ins.line, `source can't be a URL for COPY`);
        sources.push(await download(src, path.join(scratch, `url-${sources.length}`), deps.signal));
      } else {
        for (const p of await expandSource(root, src, resolver)) sources.push({ hostPath: p, name: path.basename(p) });
      }
    }
    if (sources.length > 1 && !destIsDir) {
      throw new InvalidParameterError(`When using ${ins.cmd} with more than one source file, the destination must be a directory and end with a /`);
    }
    const digest = await digestSources(sources);
    const single = sources.length === 1 ? await lstat(sources[0]!.hostPath) : undefined;
    const kind = single ? (single.isDirectory() ? 'dir' : 'file') : 'multi';
    return {
      key: [digest, dest, chown ?? '', mode ?? '', fromId ?? ''],
      // Owner and mode are in the history entry (chown glued on as Docker writes it) so cachefrom matching sees them.
      createdBy: `/bin/sh -c #(nop) ${ins.cmd} ${chmodText ? `--chmod=${chmodText} ` : ''}${chown ? `--chown=${chown}` : ''}${kind}:${digest} in ${dest} `,
      apply: async (target) => {
        const owner = chown ? await resolveChown(target, chown) : { uid: 0, gid: 0 };
        await copyInto(target, sources, dest, { ...owner, mode, destIsDir, extractArchives: isAdd });
      },
      release,
    };
  } catch (err) {
    await release();
    throw err;
  }
}
