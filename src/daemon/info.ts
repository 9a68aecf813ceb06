// The /info answer, from the services' counts and the host's facts.
import os from 'node:os';
import type { ContainerService } from '../services/containers';
import type { ImageService } from '../services/images';
import { BERTH_VERSION } from '../api/routes/system';
import type { DaemonOptions } from './flags';
import { readFileSync } from 'node:fs';
import { isCgroupV2 } from '../runtime/spec';

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

export function makeInfo(opts: DaemonOptions, id: string, containers: ContainerService, images: ImageService) {
  return async (): Promise<Record<string, unknown>> => {
    const all = (await containers.list({ all: true, filters: {} })) as Array<{ State: string }>;
    const running = all.filter((c) => c.State === 'running').length;
    const paused = all.filter((c) => c.State === 'paused').length;
    const cgroupVersion = isCgroupV2() ? '2' : '1';
    return {
      ID: id,
      Containers: all.length,
      ContainersRunning: running,
      ContainersPaused: paused,
      ContainersStopped: all.length - running - paused,
      Images: (await images.list({ all: true })).length,
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['k8s-file'] },
      MemoryLimit: true, SwapLimit: true, KernelMemoryTCP: false, CpuCfsPeriod: true, CpuCfsQuota: true,
      CPUShares: true, CPUSet: true, PidsLimit: true, IPv4Forwarding: true, BridgeNfIptables: true, BridgeNfIp6tables: true,
      Debug: opts.logLevel === 'debug', NFd: 0, OomKillDisable: true, NGoroutines: 0, SystemTime: new Date().toISOString(),
      LoggingDriver: 'k8s-file', CgroupDriver: 'cgroupfs', CgroupVersion: cgroupVersion, NEventsListener: 0,
      KernelVersion: os.release(), OperatingSystem: osName(), OSVersion: '', OSType: 'linux',
      Architecture: os.machine(), IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, InsecureRegistryCIDRs: ['127.0.0.0/8', ...(opts.insecureRegistries ?? []).filter((r) => r.includes('/'))],
        IndexConfigs: Object.fromEntries((opts.insecureRegistries ?? []).filter((r) => !r.includes('/')).map((r) => [r, { Name: r, Mirrors: [], Secure: false, Official: false }])), Mirrors: null },
      NCPU: os.cpus().length, MemTotal: os.totalmem(), GenericResources: null, DockerRootDir: opts.dataRoot,
      HttpProxy: '', HttpsProxy: '', NoProxy: '', Name: os.hostname(), Labels: [], ExperimentalBuild: false,
      ServerVersion: BERTH_VERSION, Runtimes: { runc: { path: opts.runtime } }, DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true, Isolation: '', InitBinary: '', ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: '', Expected: '' }, InitCommit: { ID: '', Expected: '' },
      SecurityOptions: ['name=seccomp,profile=builtin'], CDISpecDirs: [], Warnings: [],
    };
  };
}
