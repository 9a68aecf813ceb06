// One build: the context unpacked, the Dockerfile parsed, each needed stage's steps run or taken from the cache, the result tagged.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidParameterError, NotFoundError, NotImplementedError, SystemError } from '../errors';
import type { Host } from '../host';
import type { ContainerService } from '../services/containers';
import type { Image, ImageService } from '../services/images';
import { createChildImage, type CommitDeps } from '../services/images/commit';
import { hostArchitecture } from '../services/images/image-service';
import { familiarString, parseReference } from '../services/images/reference';
import { chainIDs, type Snapshotter } from '../stores/snapshots';
import { BuildCache, cacheKey } from './cache';
import { CacheFromSources } from './cache-from';
import { configStep } from './config-step';
import { receiveContext, resolveInContext } from './context';
import { copyStep } from './copy-step';
import { instructionFlags, parseDockerfile, type Instruction } from './dockerfile/parser';
import type { BuildOptions } from './index';
import { BuildProgress, shortId } from './progress';
import { removeMountStubs } from '../services/containers/mount-stubs';
import { volatileMounts } from '../services/containers/volatile-rootfs';
import { runStep } from './run-step';
import { argPairs, findStage, planStages, type StagePlan } from './stages';
import { expand, PROXY_ARGS, runArgs, shellOf, type StageState } from './state';

export interface BuilderDeps extends CommitDeps {
  containers: ContainerService;
  host: Host;
  cache: BuildCache;
  /** Private scratch space (contexts, mounts) under the data root. */
  tmpDir: string;
}

const MAX_DOCKERFILE = 16 * 1024 * 1024;
/** Names of the writable snapshots COPY/ADD/WORKDIR steps fill; a crash's leftovers are removed at start. */
export const BUILD_SNAPSHOT_PREFIX = 'build-';

/** Thrown when a RUN exits non-zero; carries the code for errorDetail. */
export class StepFailedError extends InvalidParameterError {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

export class BuildRun {
  readonly dir: string;
  private readonly contextDir: string;
  private plan!: StagePlan;
  private escape = '\\';
  private stepNo = 0;
  private total = 0;
  private readonly stageImages = new Map<number, Image | undefined>();
  private readonly usedArgs = new Set<string>();
  private cacheAllowed?: Set<string>;
  private cacheFrom?: CacheFromSources;
  private mounts = 0;
  /** Work the next step need not wait for (intermediate containers going, cache records): settled before `Successfully built`. */
  private readonly pending: Array<Promise<void>> = [];

  constructor(private readonly deps: BuilderDeps, private readonly opts: BuildOptions, private readonly progress: BuildProgress) {
    this.dir = path.join(deps.tmpDir, `build-${randomBytes(8).toString('hex')}`);
    this.contextDir = path.join(this.dir, 'context');
  }

  async run(context: Readable): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      return await this.build(context);
    } finally {
      await Promise.allSettled(this.pending);
      await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async build(context: Readable): Promise<string> {
    this.checkPlatform(this.opts.platform);
    await receiveContext(context, this.contextDir, { signal: this.opts.signal });
    const name = this.opts.dockerfile || 'Dockerfile';
    const file = await resolveInContext(this.contextDir, name).catch((err) => {
      if (err instanceof InvalidParameterError) throw err;
      throw new InvalidParameterError(`Cannot locate specified Dockerfile: ${name}`);
    });
    if ((await stat(file)).size > MAX_DOCKERFILE) throw new InvalidParameterError(`Dockerfile ${name} is larger than ${MAX_DOCKERFILE} bytes`);
    const df = parseDockerfile(await readFile(file, 'utf8'));
    this.escape = df.escape;
    for (const w of df.warnings) this.progress.stream(`${w}\n`);
    this.plan = planStages(df, this.opts.buildArgs, this.opts.target);
    if (this.opts.pull) this.progress.always('[Warning] pull is not supported by this berthd (no registry client): using local images\n');
    if (this.opts.cacheFrom.length) {
      this.cacheAllowed = await this.ancestors(this.opts.cacheFrom);
      this.cacheFrom = await CacheFromSources.load(this.deps.images, this.opts.cacheFrom);
    }
    const labels = Object.entries(this.opts.labels);
    this.total = this.plan.metaInstructions.length + (labels.length ? 1 : 0)
      + this.plan.needed.reduce((n, i) => n + 1 + this.plan.stages[i]!.instructions.length, 0);
    for (const ins of this.plan.metaInstructions) {
      this.progress.step(++this.stepNo, this.total, ins.original);
      for (const [k] of argPairs(ins)) this.usedArgs.add(k);
    }
    let last: StageState | undefined;
    for (const i of this.plan.needed) {
      last = await this.buildStage(i, labels);
      this.stageImages.set(i, last.image);
    }
    const image = last?.image;
    if (!image) throw new InvalidParameterError('No image was generated. Is your Dockerfile empty?');
    const unused = Object.keys(this.opts.buildArgs).filter((k) => !this.usedArgs.has(k) && !PROXY_ARGS.has(k)).sort();
    if (unused.length) this.progress.always(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    await this.settle();
    const id = image.record.id;
    this.progress.aux({ ID: id });
    this.progress.stream(`Successfully built ${shortId(id)}\n`);
    for (const t of this.opts.tags) {
      const ref = parseReference(t);
      if (ref.digest) throw new InvalidParameterError(`invalid reference format: ${t} (a tag cannot have a digest)`);
      await this.deps.images.tag(id, ref.tag ? t.slice(0, t.length - ref.tag.length - 1) : t, ref.tag ?? 'latest');
      this.progress.stream(`Successfully tagged ${familiarString({ ...ref, tag: ref.tag ?? 'latest' })}\n`);
    }
    if (this.opts.quiet) this.progress.always(`${id}\n`);
    return id;
  }

  /** Run `work` beside the next steps; its failure fails the build at settle(). */
  private later(work: Promise<unknown>): void {
    const p = work.then(() => undefined);
    p.catch(() => undefined); // reported by settle()
    this.pending.push(p);
  }

  private async settle(): Promise<void> {
    const failed = (await Promise.allSettled(this.pending.splice(0))).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  private checkPlatform(platform: string | undefined): void {
    if (!platform) return;
    const [os, arch] = platform.toLowerCase().split('/');
    if (os !== 'linux' || (arch !== undefined && arch !== hostArchitecture())) {
      throw new NotImplementedError(`building for platform ${platform} is not supported: berth builds for linux/${hostArchitecture()} only`);
    }
  }

  /** Every image ID reachable from `refs` through parents: what cachefrom allows as hits. */
  private async ancestors(refs: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const r of refs) {
      let img: Image | undefined = await this.deps.images.get(r).catch(() => undefined);
      while (img && !out.has(img.record.id)) {
        out.add(img.record.id);
        img = img.record.parent ? await this.deps.images.get(img.record.parent).catch(() => undefined) : undefined;
      }
    }
    return out;
  }

  private async buildStage(index: number, labels: Array<[string, string]>): Promise<StageState> {
    const stage = this.plan.stages[index]!;
    this.progress.step(++this.stepNo, this.total, stage.from.original);
    this.checkPlatform(stage.platform);
    this.cacheFrom?.reset();
    const s: StageState = { run: {}, cmdSet: false, args: new Map(), escape: this.escape };
    if (stage.base.toLowerCase() !== 'scratch') {
      const from = findStage(this.plan.stages, stage.base, index);
      s.image = from ? this.stageImages.get(from.index) : await this.deps.images.get(stage.base);
      if (from && !s.image) throw new InvalidParameterError(`stage ${stage.base} produced no image`);
    }
    this.adopt(s);
    this.progress.result(s.image?.record.id ?? 'scratch');
    const triggers = s.image?.config.config?.OnBuild ?? [];
    if (triggers.length) {
      this.progress.stream(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      s.run.OnBuild = null;
      for (const t of triggers) {
        const ins = parseDockerfile(t).instructions[0];
        if (ins) await this.dispatch(s, ins, index);
      }
    }
    for (const ins of stage.instructions) {
      this.progress.step(++this.stepNo, this.total, ins.original);
      await this.dispatch(s, ins, index);
    }
    if (labels.length && index === this.plan.needed[this.plan.needed.length - 1]) {
      const args = labels.map(([k, v]) => `${quote(k)}=${quote(v)}`);
      const ins: Instruction = { cmd: 'LABEL', flags: [], args, json: false, original: `LABEL ${labels.map(([k, v]) => `${k}=${v}`).join(' ')}`, line: 0, heredocs: [] };
      this.progress.step(++this.stepNo, this.total, ins.original);
      await this.dispatch(s, ins, index);
    }
    return s;
  }

  /** Take the run config and author from the stage's current image. */
  private adopt(s: StageState): void {
    s.run = structuredClone(s.image?.config.config ?? {});
    s.author = s.image?.config.author;
  }

  private async dispatch(s: StageState, ins: Instruction, stageIndex: number): Promise<void> {
    switch (ins.cmd) {
      case 'RUN': return this.runInstruction(s, ins);
      case 'COPY': case 'ADD': {
        const step = await copyStep(this.stepDeps(), s, ins, {
          contextDir: this.contextDir,
          stageImage: (ref) => {
            const st = findStage(this.plan.stages, ref, stageIndex);
            return st ? this.stageImages.get(st.index) ?? null : undefined;
          },
          mountDir: () => this.mountDir(),
        }).catch((err: unknown) => {
          // Docker's wording for a source that is not there: "COPY failed: file not found in build context …".
          if (err instanceof NotFoundError) throw new NotFoundError(`${ins.cmd} failed: ${err.message}`, { cause: err });
          throw err;
        });
        try {
          return await this.commitStep(s, ['COPY', step.key], step.createdBy, (snap) => step.apply(snap));
        } finally {
          await step.release();
        }
      }
      case 'WORKDIR': {
        const dir = expand(s, ins.args[0]!).value;
        s.run.WorkingDir = path.posix.resolve(s.run.WorkingDir || '/', dir);
        const wd = s.run.WorkingDir;
        return this.commitStep(s, ['WORKDIR', wd], `/bin/sh -c #(nop) WORKDIR ${wd}`, async (root) => {
          const { resolveInRoot, cleanComponents } = await import('../archive/securejoin');
          await resolveInRoot(root, cleanComponents(wd), { mkdirs: true });
        });
      }
      case 'ARG':
        for (const [k, v] of argPairs(ins)) {
          this.usedArgs.add(k);
          const given = this.opts.buildArgs[k];
          const value = given !== undefined && given !== null ? given
            : v !== undefined ? expand(s, v).value : this.plan.metaArgs.get(k);
          s.args.set(k, value);
        }
        break;
    }
    const change = configStep(s, ins);
    s.run = change.run;
    if (change.author !== undefined) s.author = change.author;
    if (change.cmdSet) s.cmdSet = true;
    await this.commitStep(s, ['CONFIG'], `/bin/sh -c #(nop)  ${change.comment}`);
  }

  private stepDeps() {
    return { images: this.deps.images, snapshots: this.deps.snapshots, host: this.deps.host, signal: this.opts.signal };
  }

  private mountDir(): string {
    return path.join(this.dir, `mnt-${this.mounts++}`);
  }

  /**
   * Reuse the cached result of this step or make it: a config-only image when
   * `fill` is absent, else a layer of what `fill` writes into a mounted
   * snapshot over the parent. The key covers parent, text and `key` extras.
   */
  private async commitStep(s: StageState, key: unknown[], createdBy: string, fill?: (root: string) => Promise<void>): Promise<void> {
    const k = cacheKey([s.image?.record.id ?? 'scratch', createdBy, s.author ?? '', s.run, ...key]);
    if (await this.useCache(s, k, createdBy, fill !== undefined)) return;
    const id = fill ? await this.withSnapshot(s, createdBy, fill) : await this.child(s, createdBy);
    await this.finish(s, k, id);
  }

  /** A hit from the local cache records first, else (with cachefrom) from the offered images' histories. */
  private async useCache(s: StageState, k: string, createdBy: string, makesLayer: boolean): Promise<boolean> {
    if (this.opts.noCache) return false;
    for (const candidate of await this.deps.cache.get(k)) {
      if (this.cacheAllowed && !this.cacheAllowed.has(candidate)) continue;
      const image = await this.deps.images.get(candidate).catch(() => undefined);
      if (image && (await this.layersPresent(image))) return this.hit(s, image);
    }
    const restored = await this.cacheFrom?.match({ parent: s.image, createdBy, makesLayer, config: s.run, author: s.author });
    return restored ? this.hit(s, await this.deps.images.get(restored)) : false;
  }

  /** A recorded result is a hit only while every layer under it is still here (a crash can drop a build layer that was never synced). */
  private async layersPresent(image: Image): Promise<boolean> {
    const present = await Promise.all(chainIDs(image.config.rootfs.diff_ids).map((c) => this.deps.snapshots.hasLayer(c)));
    return present.every(Boolean);
  }

  private hit(s: StageState, image: Image): boolean {
    this.progress.stream(' ---> Using cache\n');
    s.image = image;
    this.adopt(s);
    this.progress.result(image.record.id);
    return true;
  }

  private async finish(s: StageState, k: string, id: string): Promise<void> {
    // The image (and every layer under it) exists already: its cache record can be written while the build goes on.
    this.later(this.deps.cache.put(k, id));
    s.image = await this.deps.images.get(id);
    this.adopt(s);
    this.progress.result(id);
  }

  private child(s: StageState, createdBy: string, snapshot?: string, consumeSnapshot = false): Promise<string> {
    return createChildImage(this.deps, {
      parent: s.image, config: s.run, snapshot, consumeSnapshot, author: s.author, signal: this.opts.signal,
      history: { created_by: createdBy, ...(s.author ? { author: s.author } : {}) },
    });
  }

  private async withSnapshot(s: StageState, createdBy: string, fill: (root: string) => Promise<void>): Promise<string> {
    const key = `${BUILD_SNAPSHOT_PREFIX}${randomBytes(12).toString('hex')}`;
    const diffs = s.image?.config.rootfs.diff_ids ?? [];
    await this.deps.snapshots.prepare(key, diffs.length ? chainIDs(diffs)[diffs.length - 1] : undefined);
    try {
      const mnt = this.mountDir();
      // The snapshot becomes the layer (or goes): its unmount need not sync the whole filesystem.
      await this.deps.host.mount(await volatileMounts(await this.deps.snapshots.mounts(key)), mnt);
      try {
        await fill(mnt);
      } finally {
        await this.deps.host.unmount(mnt);
        await rm(mnt, { recursive: true, force: true }).catch(() => undefined);
      }
      return await this.child(s, createdBy, key, true);
    } finally {
      await this.deps.snapshots.remove(key).catch(() => undefined);
    }
  }

  private async runInstruction(s: StageState, ins: Instruction): Promise<void> {
    // RUN --mount/--network/--security are BuildKit's; the classic builder has no flags for RUN.
    instructionFlags(ins, []);
    if (!s.image) throw new InvalidParameterError(`failed to run ${ins.original}: the stage has no filesystem to run in (FROM scratch)`);
    const cmd = ins.json ? ins.args : [...shellOf(s), shellScript(ins)];
    const { recorded, proxies } = runArgs(s, this.opts.buildArgs);
    for (const a of [...recorded, ...proxies]) this.usedArgs.add(a.slice(0, a.indexOf('=')));
    const createdBy = `${recorded.length ? `|${recorded.length} ${recorded.join(' ')} ` : ''}${cmd.join(' ')}`;
    const k = cacheKey([s.image.record.id, createdBy, s.author ?? '', s.run, 'RUN']);
    if (await this.useCache(s, k, createdBy, true)) return;
    let containerId: string | undefined;
    let removed = false;
    const removeContainer = async (id: string) => {
      removed = true;
      this.progress.stream(`Removing intermediate container ${shortId(id)}\n`);
      await this.deps.containers.remove(id, { force: true, volumes: true }).catch((err) => {
        throw new SystemError(`removing intermediate container ${shortId(id)}: ${(err as Error).message}`);
      });
    };
    try {
      const code = await runStep(this.deps.containers, {
        image: s.image.record.id,
        cmd,
        env: [...(s.run.Env ?? []), ...recorded, ...proxies],
        workingDir: s.run.WorkingDir,
        user: s.run.User,
        hostConfig: this.hostConfig(),
        volatileRootfs: this.opts.rm || this.opts.forceRm,
      }, (id) => {
        containerId = id;
        this.progress.stream(` ---> Running in ${shortId(id)}\n`);
      }, (chunk) => this.progress.stream(chunk.toString()), this.opts.signal);
      if (code !== 0) throw new StepFailedError(`The command '${cmd.join(' ')}' returned a non-zero code: ${code}`, code);
      const diffs = s.image.config.rootfs.diff_ids;
      await removeMountStubs(this.deps.snapshots.path(containerId!), chainIDs(diffs).map((c) => this.deps.snapshots.path(c)), this.deps.host);
      // The container's upper directory becomes the layer when the container goes anyway.
      const id = await this.child(s, createdBy, containerId, this.opts.rm || this.opts.forceRm);
      // Its upper directory is the layer now; the rest of it can go while the next step runs.
      if (this.opts.rm || this.opts.forceRm) this.later(removeContainer(containerId!));
      await this.finish(s, k, id);
    } finally {
      // A failed step's container stays for inspection unless --force-rm.
      if (containerId && !removed && this.opts.forceRm) await removeContainer(containerId);
    }
  }

  private hostConfig(): Record<string, unknown> {
    const hc: Record<string, unknown> = { NetworkMode: this.opts.networkMode || 'default' };
    if (this.opts.memory) hc.Memory = this.opts.memory;
    if (this.opts.shmSize) hc.ShmSize = this.opts.shmSize;
    if (this.opts.extraHosts.length) hc.ExtraHosts = this.opts.extraHosts;
    return hc;
  }
}

/** A shell-form RUN's script: the line, then its heredocs as the shell reads them; a lone heredoc is the script itself. */
function shellScript(ins: Instruction): string {
  const text = ins.args[0]!;
  if (!ins.heredocs.length) return text;
  const lone = ins.heredocs.length === 1 && /^<<-?(["']?)[\w.-]+\1$/.test(text.trim()) ? ins.heredocs[0]! : undefined;
  if (lone) {
    // A script with a shebang runs under its interpreter (fed on stdin), as BuildKit runs it as a file.
    const shebang = /^#!(.+)\n/.exec(lone.body);
    if (!shebang) return lone.body;
    const delimiter = lone.expand ? lone.name : `'${lone.name}'`;
    return `${shebang[1]!.trim()} <<${delimiter}\n${lone.body.slice(shebang[0].length)}${lone.name}\n`;
  }
  const quoted = ins.heredocs.map((h) => `${h.body}${h.name}\n`).join('');
  return `${text}\n${quoted}`;
}

function quote(s: string): string {
  return `"${s.replace(/(["$\\])/g, '\\$1')}"`;
}
