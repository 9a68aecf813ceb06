// Network namespace files under the exec root (not /run/netns, so `ip netns` stays clean): made by unshare, bind-mounted.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Host } from '../../host';

export class NetnsFiles {
  constructor(private readonly host: Host, private readonly dir: string) {}

  pathFor(containerId: string): string {
    return path.join(this.dir, containerId);
  }

  /** A fresh network namespace pinned at pathFor(id). */
  async create(containerId: string): Promise<string> {
    const file = this.pathFor(containerId);
    await mkdir(this.dir, { recursive: true, mode: 0o711 });
    await writeFile(file, '', { mode: 0o444 });
    try {
      await this.host.run('unshare', [`--net=${file}`, 'true']);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    return file;
  }

  /** The container IDs that have a netns file. */
  async list(): Promise<string[]> {
    return readdir(this.dir).catch(() => []);
  }

  /** Unpin and delete; absent is not an error. */
  async remove(containerId: string): Promise<void> {
    const file = this.pathFor(containerId);
    await this.host.unmount(file).catch(() => undefined);
    await rm(file, { force: true });
  }
}
