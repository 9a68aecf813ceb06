// `system df` as docker's DiskUsageContext shows GET /system/df: the four summary rows and the rows of the -v sections.
import { humanDuration, humanSize } from '../../units/human';
import { ContainerRow, type ContainerSummary } from './container-row';
import { ImageRow, type ImageSummary } from './image-row';
import { shortId } from './formatter';

export interface VolumeUsage { Name: string; UsageData?: { Size: number; RefCount: number } | null }
export interface BuildCacheRecord {
  ID: string; Type?: string; InUse?: boolean; Shared?: boolean; Size?: number;
  CreatedAt?: string; LastUsedAt?: string | null; UsageCount?: number;
}
export interface DiskUsage {
  LayersSize?: number;
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: VolumeUsage[] | null;
  BuildCache?: BuildCacheRecord[] | null;
}

export const DF_DEFAULT = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
export const DF_LABELS: Record<string, string> = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

/** go-units HumanSize: the summary uses 4 significant digits ("71.02kB"), the rows 3. */
const human4 = (n: number) => humanSize(n, 4);

/** One summary line: counts and bytes, with reclaimable bytes and, when the total is not 0, their share. */
export class DiskUsageSummaryRow {
  static readonly goType = '*formatter.diskUsageImagesContext'; // the first line, where a template error shows
  constructor(
    readonly Type: string, private readonly total: number, private readonly active: number,
    private readonly size: number, private readonly reclaimable: number, private readonly withShare = true,
  ) {}
  TotalCount(): string { return String(this.total); }
  Active(): string { return String(this.active); }
  Size(): string { return human4(this.size); }
  Reclaimable(): string {
    const r = human4(this.reclaimable);
    return this.withShare && this.size > 0 ? `${r} (${Math.trunc((this.reclaimable * 100) / this.size)}%)` : r;
  }
  toJSON(): Record<string, string> {
    return { Active: this.Active(), Reclaimable: this.Reclaimable(), Size: this.Size(), TotalCount: this.TotalCount(), Type: this.Type };
  }
}

/** A container holds its image's space while it runs, is paused or restarting. */
const isActive = (c: ContainerSummary) => /running|paused|restarting/.test(c.State ?? '');
const known = (n: number | undefined): n is number => n !== undefined && n !== -1;

/** docker's arithmetic for the Images, Containers, Local Volumes and Build Cache lines. */
export function summaryRows(du: DiskUsage): DiskUsageSummaryRow[] {
  const images = du.Images ?? [];
  const layers = du.LayersSize ?? 0;
  let imagesUsed = 0;
  for (const i of images) if ((i.Containers ?? 0) > 0 && known(i.Size) && known(i.SharedSize ?? 0)) imagesUsed += i.Size - (i.SharedSize ?? 0);

  const containers = du.Containers ?? [];
  const rw = (c: ContainerSummary) => (known(c.SizeRw) ? c.SizeRw : 0);
  const containersSize = containers.reduce((s, c) => s + rw(c), 0);
  const containersIdle = containers.filter((c) => !isActive(c)).reduce((s, c) => s + rw(c), 0);

  const volumes = du.Volumes ?? [];
  const volSize = (v: VolumeUsage) => (known(v.UsageData?.Size) ? v.UsageData!.Size : 0);
  const volumesSize = volumes.reduce((s, v) => s + volSize(v), 0);
  const volumesIdle = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((s, v) => s + volSize(v), 0);

  const cache = du.BuildCache ?? [];
  const cacheSize = cache.filter((b) => !b.Shared).reduce((s, b) => s + (b.Size ?? 0), 0);
  const cacheIdle = cache.filter((b) => !b.Shared && !b.InUse).reduce((s, b) => s + (b.Size ?? 0), 0);

  return [
    new DiskUsageSummaryRow('Images', images.length, images.filter((i) => (i.Containers ?? 0) > 0).length, layers, layers - imagesUsed),
    new DiskUsageSummaryRow('Containers', containers.length, containers.filter(isActive).length, containersSize, containersIdle),
    new DiskUsageSummaryRow('Local Volumes', volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, volumesSize, volumesIdle),
    new DiskUsageSummaryRow('Build Cache', cache.length, cache.filter((b) => b.InUse).length, cacheSize, cacheIdle, false),
  ];
}

export const DF_IMAGES_DEFAULT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
export const DF_CONTAINERS_DEFAULT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
export const DF_VOLUMES_DEFAULT = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
export const DF_VOLUME_LABELS: Record<string, string> = { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' };
export const DF_CACHE_DEFAULT = 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';
export const DF_CACHE_LABELS: Record<string, string> = {
  ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED',
};

/** A `df -v` volume line: how many containers use it, and its size. */
export class DiskUsageVolumeRow {
  static readonly goType = '*formatter.volumeContext';
  constructor(private readonly v: VolumeUsage) {}
  Name(): string { return this.v.Name; }
  Links(): string { return this.v.UsageData ? String(this.v.UsageData.RefCount) : 'N/A'; }
  Size(): string { return this.v.UsageData ? human4(this.v.UsageData.Size) : 'N/A'; }
  toJSON(): Record<string, string> { return { Links: this.Links(), Name: this.Name(), Size: this.Size() }; }
}

/** A `df -v` build cache line; an in-use record's ID is starred. */
export class BuildCacheRow {
  static readonly goType = '*formatter.buildCacheContext';
  constructor(private readonly b: BuildCacheRecord, private readonly trunc: boolean, private readonly now = Date.now()) {}
  ID(): string { return (this.trunc ? shortId(this.b.ID) : this.b.ID) + (this.b.InUse ? '*' : ''); }
  CacheType(): string { return this.b.Type ?? ''; }
  Size(): string { return humanSize(this.b.Size ?? 0); }
  CreatedSince(): string { return since(this.b.CreatedAt, this.now); }
  LastUsedSince(): string { return this.b.LastUsedAt ? since(this.b.LastUsedAt, this.now) : ''; }
  UsageCount(): string { return String(this.b.UsageCount ?? 0); }
  Shared(): string { return String(!!this.b.Shared); }
  toJSON(): Record<string, string> {
    return {
      CacheType: this.CacheType(), CreatedSince: this.CreatedSince(), ID: this.ID(), LastUsedSince: this.LastUsedSince(),
      Shared: this.Shared(), Size: this.Size(), UsageCount: this.UsageCount(),
    };
  }
}

const since = (iso: string | undefined, now: number) => `${humanDuration(now - Date.parse(iso ?? '') || 0)} ago`;

/** docker's df image line: the first tag only, `<none>` for untagged or dangling images. */
function imageRow(img: ImageSummary, trunc: boolean, now: number): ImageRow {
  const first = (img.RepoTags ?? []).find((t) => t !== '<none>:<none>');
  const slash = first?.lastIndexOf('/') ?? -1;
  const colon = first?.lastIndexOf(':') ?? -1;
  const [repo, tag] = first && colon > slash ? [first.slice(0, colon), first.slice(colon + 1)] : ['<none>', '<none>'];
  return new ImageRow(img, repo, tag, '', trunc, now);
}

/** The row objects of the four -v sections (also the data a -v --format template ranges over). */
export function verboseSections(du: DiskUsage, trunc: boolean, now = Date.now()) {
  const lastUsed = (b: BuildCacheRecord) => (b.LastUsedAt ? Date.parse(b.LastUsedAt) : -Infinity);
  return {
    Images: (du.Images ?? []).map((i) => imageRow(i, trunc, now)),
    // The virtual size is not shown here.
    Containers: (du.Containers ?? []).map((c) => new ContainerRow({ ...c, SizeRootFs: 0 }, trunc, now)),
    Volumes: (du.Volumes ?? []).map((v) => new DiskUsageVolumeRow(v)),
    BuildCache: [...(du.BuildCache ?? [])].sort((a, b) => lastUsed(a) - lastUsed(b)).map((b) => new BuildCacheRow(b, trunc, now)),
  };
}
