// The builder: Dockerfile + context tar → an image, step by step, with a cache that never lies.
import type { Readable } from 'node:stream';
import type { ProgressSink } from './progress';

export interface BuildOptions {
  /** Path of the Dockerfile inside the context (default "Dockerfile"). */
  dockerfile: string;
  /** References to tag the result with ("name[:tag]"). */
  tags: string[];
  quiet: boolean;
  noCache: boolean;
  /** Remove intermediate containers after a successful step (default true). */
  rm: boolean;
  /** Remove intermediate containers always, also after a failed step. */
  forceRm: boolean;
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  target?: string;
  /** Pull base images first: not possible yet (no registry client), so local images are used and a warning says so. */
  pull?: boolean;
  networkMode?: string;
  platform?: string;
  /**
   * Images offered as cache sources: when given, local cache records are hits
   * only for them and their ancestors, and images built elsewhere (pulled,
   * loaded) serve the steps their history holds (see cache-from.ts).
   */
  cacheFrom: string[];
  extraHosts: string[];
  shmSize?: number;
  memory?: number;
  signal?: AbortSignal;
}

export interface BuildService {
  /**
   * Build from a context tar stream, reporting progress to `sink`; resolves
   * with the image ID. Failures reject (the API turns them into errorDetail).
   */
  build(context: Readable, opts: BuildOptions, sink: ProgressSink): Promise<string>;
  /** Forget the build cache; returns what was dropped, in Docker's prune shape. */
  prune(): Promise<{ CachesDeleted: string[]; SpaceReclaimed: number }>;
  /** Docker's BuildCache entries for GET /system/df. */
  usage(): Promise<object[]>;
}
