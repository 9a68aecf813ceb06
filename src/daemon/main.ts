// berthd: parse flags, wire stores → services → API, restore containers, serve; SIGTERM leaves containers running.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createApiServer } from '../api/server';
import { Router } from '../api/router';
import { containerRoutes } from '../api/routes/containers';
import { archiveRoutes } from '../api/routes/archive';
import { execRoutes } from '../api/routes/exec';
import { imageRoutes } from '../api/routes/images';
import { distributionRoutes, pullHandler } from '../api/routes/distribution';
import { LayerBlobIndex } from '../services/images/layer-blobs';
import { RegistryImageTransfer } from '../services/images/transfer';
import { systemRoutes } from '../api/routes/system';
import { eventRoutes } from '../api/routes/events';
import { volumeRoutes } from '../api/routes/volumes';
import { LocalVolumeService } from '../services/volumes/volume-service';
import { networkRoutes } from '../api/routes/networks';
import { bridgeNetworking } from '../services/networks/setup';
import { commitRoutes } from '../api/routes/commit';
import { buildRoutes } from '../api/routes/build';
import { BuildCache } from '../builder/cache';
import { LocalBuilder } from '../builder/local-builder';
import { EventBus } from '../services/events/event-bus';
import { diskUsage } from '../services/system/disk-usage';
import { LinuxHost } from '../host/linux';
import { ConmonRuntime } from '../runtime/conmon-runtime';
import { LocalContainerService } from '../services/containers/container-service';
import { LocalExecService } from '../services/containers/exec';
import { ExecHealthProbe } from '../services/containers/health-probe';
import { BuiltinNetworks } from '../services/containers/network';
import { LocalImageService } from '../services/images/image-service';
import { FsContentStore } from '../stores/content/fs-content-store';
import { FsMetadataStore } from '../stores/metadata/fs-metadata-store';
import { OverlaySnapshotter } from '../stores/snapshots/overlay-snapshotter';
import { parseFlags } from './flags';
import { makeInfo } from './info';
import { containerNofile } from './limits';
import { makeLogger } from './logger';

async function main(): Promise<void> {
  const opts = parseFlags(process.argv);
  const log = makeLogger(opts.logLevel);
  if (!opts.host.startsWith('unix://')) throw new Error(`only unix:// sockets are supported: ${opts.host}`);
  const socketPath = opts.host.slice('unix://'.length);
  for (const d of [opts.dataRoot, opts.execRoot, path.dirname(socketPath)]) mkdirSync(d, { recursive: true, mode: 0o711 });

  const host = new LinuxHost();
  const content = new FsContentStore(path.join(opts.dataRoot, 'content'));
  const metadata = new FsMetadataStore(path.join(opts.dataRoot, 'metadata'));
  const snapshots = new OverlaySnapshotter(path.join(opts.dataRoot, 'snapshots'));
  await content.cleanup();
  const runtime = new ConmonRuntime({ execRoot: opts.execRoot, runtimePath: opts.runtime });
  const events = new EventBus();
  const images = new LocalImageService(content, snapshots, metadata, events);
  await images.load();
  const volumes = new LocalVolumeService({ metadata, host, dataRoot: opts.dataRoot, events, log });
  await volumes.load();
  const net = bridgeNetworking({ host, metadata, events, dataRoot: opts.dataRoot, execRoot: opts.execRoot, bridge: opts.bridge, bip: opts.bip, log });
  const containers = new LocalContainerService({
    images, snapshots, metadata, runtime, host, networks: new BuiltinNetworks(net.attacher),
    dataRoot: opts.dataRoot, execRoot: opts.execRoot, nofile: containerNofile(), log, events, volumes,
  });
  volumes.setUsers((name) => containers.volumeUsers(name));
  images.setUsers((id) => containers.imageUsers(id));
  net.service.setContainers({ get: (id) => containers.get(id), all: () => containers.records(), save: (r) => containers.saveRecord(r) });
  await net.redirect.start();
  await net.service.load();
  await containers.load();
  await volumes.reconcile();
  await net.attacher.sweep();
  await snapshots.cleanup();

  const idFile = path.join(opts.dataRoot, 'engine-id');
  if (!existsSync(idFile)) writeFileSync(idFile, randomUUID());
  const router = new Router();
  const builder = new LocalBuilder({ images, content, snapshots, containers, host, cache: new BuildCache(metadata), tmpDir: path.join(opts.dataRoot, 'tmp') });
  await builder.cleanup();
  systemRoutes(router, {
    info: makeInfo(opts, readFileSync(idFile, 'utf8').trim(), containers, images),
    df: () => diskUsage(images, containers, snapshots, volumes, () => builder.usage()),
  });
  archiveRoutes(router, containers.archive());
  containerRoutes(router, containers);
  const execs = new LocalExecService({ containers, runtime, log, events });
  containers.setHealthProbe(new ExecHealthProbe(execs));
  execRoutes(router, execs);
  const layerBlobs = new LayerBlobIndex(metadata, content, snapshots);
  images.setLayerRelease((diffIDs) => layerBlobs.release(diffIDs));
  const transfer = new RegistryImageTransfer({
    content, snapshots, images, layers: layerBlobs, events, registries: { insecureRegistries: opts.insecureRegistries },
  });
  imageRoutes(router, images, pullHandler(transfer));
  distributionRoutes(router, transfer);
  eventRoutes(router, events);
  volumeRoutes(router, volumes);
  networkRoutes(router, net.service, net.attacher);
  commitRoutes(router, { images, content, snapshots, host, containers, tmpDir: path.join(opts.dataRoot, 'tmp') });
  buildRoutes(router, builder);
  const server = createApiServer(router, (method, url, status, err) => {
    if (err) log('error', `${method} ${url}: ${status}: ${err instanceof Error ? err.stack : String(err)}`);
    else log('debug', `${method} ${url} ${status}`);
  });

  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  chmodSync(socketPath, 0o660);
  if (opts.pidfile) writeFileSync(opts.pidfile, `${process.pid}\n`);
  log('info', `API listening on ${socketPath}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: shutting down; containers keep running`);
    server.close();
    server.closeAllConnections();
    await containers.close().catch(() => undefined);
    await net.redirect.stop();
    // Build layers committed without fsync are made durable, so a reboot need not check them.
    await snapshots.syncLayers().catch(() => undefined);
    rmSync(socketPath, { force: true });
    if (opts.pidfile) rmSync(opts.pidfile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`berthd: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
