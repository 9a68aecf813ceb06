// GET /system/df: what images, containers and layers take on disk, in Docker's shape.
import type { ContainerService } from '../containers';
import type { ImageService } from '../images';
import type { Snapshotter } from '../../stores/snapshots';
import type { VolumeService } from '../volumes';

export async function diskUsage(images: ImageService, containers: ContainerService, snapshots: Snapshotter, volumes?: Pick<VolumeService, 'usage'>, buildCache?: () => Promise<object[]>): Promise<object> {
  const ctrs = (await containers.list({ all: true, size: true, filters: {} })) as Array<{ ImageID: string }>;
  const imgs = (await images.list({ all: true })) as Array<{ Id: string; Containers: number; SharedSize: number }>;
  for (const i of imgs) {
    i.Containers = ctrs.filter((c) => c.ImageID === i.Id).length;
    i.SharedSize = 0;
  }
  let layersSize = 0;
  for (const s of await snapshots.list()) if (s.kind === 'committed') layersSize += await snapshots.usage(s.name).catch(() => 0);
  return { LayersSize: layersSize, Images: imgs, Containers: ctrs, Volumes: volumes ? await volumes.usage() : [], BuildCache: buildCache ? await buildCache() : [] };
}
