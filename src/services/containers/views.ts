// Docker-shaped JSON views of a container: inspect, the list summary, and the human status line.
import { humanDuration } from '../../units/human';
import type { ContainerRecord } from './record';
import { mountView } from './mounts';
import { portsSummary } from '../networks/port-spec';

export function inspectView(r: ContainerRecord): object {
  return {
    Id: r.id,
    Created: r.created,
    Path: r.path,
    Args: r.args,
    State: { ...r.state },
    Image: r.image,
    ResolvConfPath: r.resolvConfPath,
    HostnamePath: r.hostnamePath,
    HostsPath: r.hostsPath,
    LogPath: r.logPath,
    Name: r.name,
    RestartCount: r.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigView(r),
    GraphDriver: { Name: 'overlay2', Data: { MergedDir: r.rootfsPath } },
    Mounts: r.mounts.map(mountView),
    Config: { ...r.config, Hostname: r.config.Hostname },
    NetworkSettings: { SandboxID: '', SandboxKey: '', Ports: {}, ...r.networkSettings },
  };
}

function hostConfigView(r: ContainerRecord): object {
  return {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: 'k8s-file', Config: {} }, NetworkMode: 'default',
    PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '',
    VolumesFrom: null, CapAdd: null, CapDrop: null, CgroupnsMode: 'host', Dns: [], DnsOptions: [], DnsSearch: [],
    ExtraHosts: null, GroupAdd: null, IpcMode: 'private', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '',
    Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '',
    ShmSize: 67108864, Runtime: 'runc', Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '',
    BlkioWeight: 0, CpuPeriod: 0, CpuQuota: 0, CpusetCpus: '', CpusetMems: '', Devices: [], MemoryReservation: 0,
    MemorySwap: 0, OomKillDisable: false, PidsLimit: null, Ulimits: null, MaskedPaths: [], ReadonlyPaths: [],
    ...r.hostConfig,
  };
}

/** "Up 3 seconds", "Exited (0) 2 minutes ago", "Created", as `docker ps` shows them. */
export function statusLine(r: ContainerRecord, now = Date.now()): string {
  const s = r.state;
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Dead) return 'Dead';
  if (s.Running) {
    const up = `Up ${humanDuration(now - Date.parse(s.StartedAt))}`;
    if (s.Paused) return `${up} (Paused)`;
    if (s.Health) return `${up} (${s.Health.Status === 'starting' ? 'health: starting' : s.Health.Status})`;
    return up;
  }
  if (s.Status === 'created') return 'Created';
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  return `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
}

export function summaryView(r: ContainerRecord, imageName: string): object {
  const command = [r.path, ...r.args].join(' ');
  return {
    Id: r.id,
    Names: [r.name],
    Image: imageName,
    ImageID: r.image,
    Command: command,
    Created: Math.floor(Date.parse(r.created) / 1000),
    Ports: portsSummary((r.networkSettings.Ports ?? {}) as Parameters<typeof portsSummary>[0]),
    Labels: r.config.Labels ?? {},
    State: r.state.Status,
    Status: statusLine(r),
    HostConfig: { NetworkMode: r.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: (r.networkSettings.Networks as object | undefined) ?? {} },
    Mounts: r.mounts.map(mountView),
  };
}
