// The `images` and `history` rows as docker's ImageContext and HistoryContext show them.
import { ago, humanSize } from '../../units/human';
import { goTimeString } from './go-time';
import { ellipsis, shortId } from './formatter';

export interface ImageSummary {
  Id: string;
  ParentId?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  VirtualSize?: number;
  Labels?: Record<string, string> | null;
  Containers?: number;
}

export const IMAGES_LABELS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT', Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};
export const IMAGES_DEFAULT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGES_DIGESTS = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

/** One (repository, tag) line of an image. */
export class ImageRow {
  static readonly goType = '*formatter.imageContext';
  constructor(
    private readonly img: ImageSummary, readonly Repository: string, readonly Tag: string,
    readonly Digest: string, private readonly trunc: boolean, private readonly now = Date.now(),
  ) {}
  ID(): string { return this.trunc ? shortId(this.img.Id) : this.img.Id; }
  CreatedSince(): string { return ago(this.img.Created, this.now); }
  CreatedAt(): string { return goTimeString(this.img.Created); }
  Size(): string { return humanSize(this.img.Size); }
  VirtualSize(): string { return humanSize(this.img.VirtualSize ?? this.img.Size, 4); }
  SharedSize(): string { return this.img.SharedSize === undefined || this.img.SharedSize < 0 ? 'N/A' : humanSize(this.img.SharedSize); }
  UniqueSize(): string { return this.img.SharedSize === undefined || this.img.SharedSize < 0 ? 'N/A' : humanSize(this.img.Size - this.img.SharedSize, 4); }
  Containers(): string { return this.img.Containers === undefined || this.img.Containers < 0 ? 'N/A' : String(this.img.Containers); }
  toJSON(): Record<string, string> {
    return {
      Containers: this.Containers(), CreatedAt: this.CreatedAt(), CreatedSince: this.CreatedSince(), Digest: this.Digest,
      ID: this.ID(), Repository: this.Repository, SharedSize: this.SharedSize(), Size: this.Size(), Tag: this.Tag,
      UniqueSize: this.UniqueSize(), VirtualSize: this.VirtualSize(),
    };
  }
}

function splitRepoTag(ref: string): [string, string] {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, '<none>'];
}

/** docker's imageFormat expansion: a line per tag, `<none>` for untagged/dangling images. */
export function imageRows(images: ImageSummary[], trunc: boolean, withDigests: boolean, now = Date.now()): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const img of images) {
    const tags = img.RepoTags ?? [];
    const digests = img.RepoDigests ?? [];
    const byRepo = new Map<string, string[]>();
    for (const d of digests) {
      const at = d.indexOf('@');
      if (at > 0) (byRepo.get(d.slice(0, at)) ?? byRepo.set(d.slice(0, at), []).get(d.slice(0, at))!).push(d.slice(at + 1));
    }
    let emitted = false;
    for (const t of tags) {
      if (t === '<none>:<none>') continue;
      const [repo, tag] = splitRepoTag(t);
      const ds = byRepo.get(repo) ?? [];
      if (withDigests && ds.length) for (const d of ds) rows.push(new ImageRow(img, repo, tag, d, trunc, now));
      else rows.push(new ImageRow(img, repo, tag, ds[0] ?? '<none>', trunc, now));
      byRepo.delete(repo);
      emitted = true;
    }
    for (const [repo, ds] of byRepo) {
      rows.push(new ImageRow(img, repo, '<none>', ds[0] ?? '<none>', trunc, now));
      emitted = true;
    }
    if (!emitted) rows.push(new ImageRow(img, '<none>', '<none>', '<none>', trunc, now));
  }
  return rows;
}

export interface HistoryEntry { Id: string; Created: number; CreatedBy: string; Tags?: string[] | null; Size: number; Comment: string }
export const HISTORY_LABELS: Record<string, string> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};
export const HISTORY_DEFAULT = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export class HistoryRow {
  static readonly goType = '*formatter.historyContext';
  constructor(private readonly h: HistoryEntry, private readonly trunc: boolean, private readonly human: boolean, private readonly now = Date.now()) {}
  ID(): string { return this.h.Id === '<missing>' ? '<missing>' : this.trunc ? shortId(this.h.Id) : this.h.Id; }
  CreatedSince(): string { return this.human ? ago(this.h.Created, this.now) : new Date(this.h.Created * 1000).toISOString().replace('.000Z', 'Z'); }
  CreatedAt(): string { return new Date(this.h.Created * 1000).toISOString().replace('.000Z', 'Z'); }
  CreatedBy(): string { const s = this.h.CreatedBy.replace(/\t/g, ' '); return this.trunc ? ellipsis(s, 45) : s; }
  Size(): string { return this.human ? humanSize(this.h.Size) : String(this.h.Size); }
  Comment(): string { return this.h.Comment; }
  toJSON(): Record<string, string> {
    return { Comment: this.Comment(), CreatedAt: this.CreatedAt(), CreatedBy: this.CreatedBy(), CreatedSince: this.CreatedSince(), ID: this.ID(), Size: this.Size() };
  }
}
