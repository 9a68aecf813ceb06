// cachefrom for images not built here (pulled, loaded): a step is taken from a source image whose history holds it right after the parent's, as Docker's classic builder does.
import { isDeepStrictEqual } from 'node:util';
import type { Image, ImageConfig, ImageRunConfig, ImageService } from '../services/images';
import type { HistoryEntry } from '../services/images/types';

/**
 * What a step would make. Matching trusts `createdBy` to name everything the
 * step's layer depends on besides the parent: RUN carries its command and the
 * build args it sees (`|2 A=1 B=2 /bin/sh -c …`), COPY/ADD the digest of what
 * they read, their owner and mode; the config is always the step's own.
 */
export interface StepProbe {
  /** The step's parent; undefined in a FROM scratch stage before its first image. */
  parent?: Image;
  createdBy: string;
  /** RUN, COPY, ADD and WORKDIR add a layer (or none when they changed nothing); config-only steps add none. */
  makesLayer: boolean;
  config: ImageRunConfig;
  author?: string;
}

/** Where a source's history holds the step: the history entry and, for a layer step, the layer's diffID. */
export interface HistoryMatch {
  entry: HistoryEntry;
  layer?: string;
  /** The step is the source's last: the source itself is the step's result when its config is the step's too. */
  last: boolean;
}

const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const sameJSON = (a: unknown, b: unknown): boolean => isDeepStrictEqual(plain(a), plain(b));

/**
 * The step in `source`'s history right after `parent`'s: the source's first
 * entries and layers must be exactly the parent's (history entries equal,
 * timestamps included; diffIDs a prefix, as many as the parent's history
 * says it made), the next entry must have been made by the same `createdBy`,
 * and only a step that can make a layer matches an entry that made one.
 */
export function matchHistory(source: ImageConfig, step: StepProbe): HistoryMatch | undefined {
  const history = source.history ?? [];
  const diffs = source.rootfs.diff_ids;
  const parent = step.parent?.config;
  const parentHistory = parent?.history ?? [];
  const parentDiffs = parent?.rootfs.diff_ids ?? [];
  if (history.length <= parentHistory.length || diffs.length < parentDiffs.length) return undefined;
  if (parent && (parent.os !== source.os || parent.architecture !== source.architecture)) return undefined;
  if (!parentHistory.every((h, i) => sameJSON(h, history[i]))) return undefined;
  if (!parentDiffs.every((d, i) => d === diffs[i])) return undefined;
  // A parent whose history does not account for its layers (no history at all, say) cannot be placed in the source's.
  if (parentHistory.filter((h) => !h.empty_layer).length !== parentDiffs.length) return undefined;
  const entry = history[parentHistory.length]!;
  // A config-only step never made a layer; a layer step that changed nothing may have made none (Docker drops empty layers).
  if (entry.created_by !== step.createdBy || (!entry.empty_layer && !step.makesLayer)) return undefined;
  const layer = entry.empty_layer ? undefined : diffs[parentDiffs.length];
  if (!entry.empty_layer && !layer) return undefined;
  const last = history.length === parentHistory.length + 1 && diffs.length === parentDiffs.length + (layer ? 1 : 0);
  return { entry, ...(layer ? { layer } : {}), last };
}

/** The step's result rebuilt from a match: the parent's history and layers plus the matched entry and layer, the step's own config. */
export function restoredConfig(source: ImageConfig, step: StepProbe, match: HistoryMatch): ImageConfig {
  const parent = step.parent?.config;
  const config: ImageConfig = {
    ...(match.entry.created ? { created: match.entry.created } : {}),
    architecture: parent?.architecture ?? source.architecture,
    os: parent?.os ?? source.os,
    ...((parent ?? source).variant ? { variant: (parent ?? source).variant } : {}),
    config: step.config,
    rootfs: { type: 'layers', diff_ids: [...(parent?.rootfs.diff_ids ?? []), ...(match.layer ? [match.layer] : [])] },
    history: [...(parent?.history ?? []), match.entry],
  };
  if (step.author) config.author = step.author;
  return config;
}

/** Whether `source` is exactly what the step makes, config and author included (then its own ID is the result). */
function isStepResult(source: ImageConfig, step: StepProbe): boolean {
  return sameJSON(source.config ?? {}, step.config) && (source.author ?? '') === (step.author ?? '');
}

/** The images one build offers as cache sources, matched step by step. */
export class CacheFromSources {
  private candidates: Image[];

  private constructor(private readonly images: ImageService, private readonly sources: Image[]) {
    this.candidates = sources;
  }

  /** The named images that exist locally; others are skipped, as Docker skips them. */
  static async load(images: ImageService, refs: string[]): Promise<CacheFromSources> {
    const found: Image[] = [];
    for (const r of refs) {
      const img = await images.get(r).catch(() => undefined);
      if (img && !found.some((f) => f.record.id === img.record.id)) found.push(img);
    }
    return new CacheFromSources(images, found);
  }

  /** A new stage may match any source again. */
  reset(): void {
    this.candidates = this.sources;
  }

  /**
   * The image ID of this step's result taken from a source, or undefined. The
   * first match restores an image for the step into the store (or is the
   * source itself at its last step) and, as Docker does, binds the rest of
   * the stage to that source so steps never mix two sources' layers.
   */
  async match(step: StepProbe): Promise<string | undefined> {
    for (const source of this.candidates) {
      const m = matchHistory(source.config, step);
      if (!m) continue;
      this.candidates = [source];
      if (m.last && isStepResult(source.config, step)) {
        // As Docker does: the source now sits on the chain rebuilt for it, so that chain is no dangling image and goes with it.
        if (step.parent) await this.images.adoptParent(source.record.id, step.parent.record.id);
        return source.record.id;
      }
      return this.images.createImage(restoredConfig(source.config, step, m), { parent: step.parent?.record.id });
    }
    return undefined;
  }
}
