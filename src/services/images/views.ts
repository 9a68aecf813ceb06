// Docker-shaped JSON views of an image: summary (list), inspect and history.
import type { ImageConfig, ImageRecord } from './types';

const unix = (iso?: string) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

export function imageSummary(record: ImageRecord, config: ImageConfig, repoTags: string[], repoDigests: string[]): object {
  return {
    Id: record.id,
    ParentId: record.parent ?? '',
    RepoTags: repoTags,
    RepoDigests: repoDigests,
    Created: unix(config.created),
    Size: record.size,
    SharedSize: -1,
    VirtualSize: record.size,
    Labels: config.config?.Labels ?? {},
    Containers: -1,
  };
}

export function imageInspect(record: ImageRecord, config: ImageConfig, repoTags: string[], repoDigests: string[], lowerDirs: string[]): object {
  const c = config.config ?? {};
  return {
    Id: record.id,
    RepoTags: repoTags,
    RepoDigests: repoDigests,
    Parent: record.parent ?? '',
    Comment: config.comment ?? '',
    Created: config.created ?? '',
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: {
      Hostname: '', Domainname: '', User: c.User ?? '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
      ExposedPorts: c.ExposedPorts ?? null, Tty: false, OpenStdin: false, StdinOnce: false,
      Env: c.Env ?? null, Cmd: c.Cmd ?? null, Healthcheck: c.Healthcheck, ArgsEscaped: undefined, Image: '',
      Volumes: c.Volumes ?? null, WorkingDir: c.WorkingDir ?? '', Entrypoint: c.Entrypoint ?? null,
      OnBuild: c.OnBuild ?? null, Labels: c.Labels ?? null, StopSignal: c.StopSignal, Shell: c.Shell ?? undefined,
    },
    Architecture: config.architecture,
    Variant: config.variant,
    Os: config.os,
    Size: record.size,
    VirtualSize: record.size,
    GraphDriver: {
      Name: 'overlay2',
      Data: lowerDirs.length ? { MergedDir: '', UpperDir: lowerDirs[0], LowerDir: lowerDirs.slice(1).join(':'), WorkDir: '' } : {},
    },
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: record.lastTagTime ?? '0001-01-01T00:00:00Z' },
  };
}

/**
 * Newest first, as Docker lists it; layer sizes are matched to the non-empty
 * history entries in order. The rows take the IDs and tags of `ancestry` (the
 * image, then its parents while they are here), as Docker walks the parent
 * chain; the rest are `<missing>`.
 */
export function imageHistory(config: ImageConfig, layerSizes: number[], ancestry: Array<{ id: string; tags: string[] }>): object[] {
  const history = config.history?.length ? config.history : config.rootfs.diff_ids.map(() => ({ created: config.created }));
  let layer = 0;
  const rows = history.map((h) => {
    const size = 'empty_layer' in h && h.empty_layer ? 0 : (layerSizes[layer++] ?? 0);
    return { Id: '<missing>', Created: unix(h.created), CreatedBy: ('created_by' in h && h.created_by) || '', Tags: null as string[] | null, Size: size, Comment: ('comment' in h && h.comment) || '' };
  }).reverse();
  ancestry.slice(0, rows.length).forEach((a, i) => {
    rows[i].Id = a.id;
    rows[i].Tags = a.tags.length ? a.tags : null;
  });
  return rows;
}
