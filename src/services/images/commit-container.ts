// docker commit: a container's changes and config as a new image above the container's image.
import { InvalidParameterError } from '../../errors';
import type { ContainerService } from '../containers';
import { chainIDs } from '../../stores/snapshots';
import { removeMountStubs } from '../containers/mount-stubs';
import { applyChanges } from './changes';
import { createChildImage, runConfigOf, type CommitDeps } from './commit';
import { familiarString, parseReference, referenceString } from './reference';
import type { ImageRunConfig } from './types';

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  changes: string[];
  /** Freeze a running container while committing (Docker's default), thawed after. */
  pause: boolean;
  /** A Config from the request body, merged over the container's. */
  config?: Partial<ImageRunConfig>;
}

export async function commitContainer(deps: CommitDeps & { containers: ContainerService }, idOrName: string, opts: CommitOptions): Promise<string> {
  const r = deps.containers.get(idOrName);
  let tags: string[] = [];
  if (opts.repo) {
    const ref = parseReference(opts.tag ? `${opts.repo}:${opts.tag}` : opts.repo);
    if (ref.digest) throw new InvalidParameterError('refusing to create a tag with a digest reference');
    tags = [referenceString({ ...ref, tag: ref.tag ?? 'latest' })];
  }
  const base = { ...runConfigOf(r.config as never), ...runConfigOf((opts.config ?? {}) as never) };
  const config = applyChanges(base, opts.changes);
  const parent = await deps.images.get(r.image);
  // A stopped container's mount points for /etc/hosts and friends are dropped first (runc makes them again at start).
  if (!r.state.Running) {
    const lowers = chainIDs(parent.config.rootfs.diff_ids).map((c) => deps.snapshots.path(c));
    await removeMountStubs(deps.snapshots.path(r.id), lowers);
  }
  // As Docker: a running container (not paused by its user) is frozen for the commit and thawed after.
  const freeze = opts.pause && r.state.Running && !r.state.Paused;
  if (freeze) await deps.containers.pause(r.id);
  try {
    const id = await createChildImage(deps, {
      parent,
      config,
      snapshot: r.id,
      history: { created_by: (r.config.Cmd ?? []).join(' '), ...(opts.author ? { author: opts.author } : {}), ...(opts.comment ? { comment: opts.comment } : {}) },
      author: opts.author,
      comment: opts.comment,
      tags,
    });
    // As Docker, before the thaw: the new image's ID and the name it was given, if any.
    deps.containers.announce(r.id, 'commit', { comment: opts.comment ?? '', imageID: id, imageRef: tags[0] ? familiarString(parseReference(tags[0])) : '' });
    return id;
  } finally {
    if (freeze) await deps.containers.unpause(r.id).catch(() => undefined);
  }
}
