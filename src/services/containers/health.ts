// The HEALTHCHECK monitor: one probe loop per running, unpaused container with a probe, keeping State.Health as Docker does.
import type { ContainerContext } from './context';
import { formatGoDuration } from '../../units/human';
import { probeSpec, type HealthProbeSpec } from './health-config';
import type { ContainerRecord } from './record';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** State.Health: the status, consecutive failures, and the last few probe results (oldest first). */
export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

/** Runs one probe command in a container (as an exec). Never rejects: a failure to run is exit code -1 and its message. */
export interface HealthProbe {
  run(containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

const MAX_LOG_ENTRIES = 5;

interface Monitor {
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/**
 * Follows the container events: a start resets Health to "starting" and
 * opens the probe loop; pause, death and removal close it (Docker then
 * reports "unhealthy"); unpause reopens it. Probe results update
 * FailingStreak, the Log (last 5) and the status, and a status change is
 * published as `health_status: <status>`.
 */
export class HealthMonitor {
  private readonly monitors = new Map<string, Monitor>();
  private probe?: HealthProbe;

  constructor(private readonly ctx: ContainerContext, private readonly now: () => number = Date.now) {
    ctx.events.on('action', (r: ContainerRecord, action: string) => this.onAction(r, action));
  }

  /** The probe arrives after the exec service exists; loops opened before wait for it. */
  setProbe(probe: HealthProbe): void {
    this.probe = probe;
  }

  /** After restore: reopen the loop of every running container with a probe, keeping its recorded Health. */
  armAll(): void {
    for (const r of this.ctx.records.values()) this.follow(r);
  }

  close(): void {
    for (const id of [...this.monitors.keys()]) this.stopLoop(id);
  }

  private onAction(r: ContainerRecord, action: string): void {
    if (action === 'start') this.started(r);
    else if (action === 'pause' || action === 'unpause' || action === 'die') this.follow(r);
    else if (action === 'destroy') this.stopLoop(r.id);
  }

  private spec(r: ContainerRecord): HealthProbeSpec | undefined {
    return probeSpec(r.config.Healthcheck, (r.config as { Shell?: string[] }).Shell);
  }

  /** A (re)start: Health back to starting with a clean streak, the log kept. */
  private started(r: ContainerRecord): void {
    this.stopLoop(r.id);
    if (!this.spec(r)) return;
    r.state.Health = { Status: 'starting', FailingStreak: 0, Log: r.state.Health?.Log ?? [] };
    this.persist(r);
    this.follow(r);
  }

  /** Open or close the loop to match the container's state. */
  private follow(r: ContainerRecord): void {
    const spec = this.spec(r);
    if (!r.state.Health) return;
    if (spec && r.state.Running && !r.state.Paused) {
      if (!this.monitors.has(r.id)) this.openLoop(r);
      return;
    }
    if (!this.stopLoop(r.id) && r.state.Health.Status === 'unhealthy') return;
    // Docker: "unhealthy when the monitor has stopped for compatibility reasons".
    r.state.Health.Status = 'unhealthy';
    if (this.ctx.records.has(r.id)) this.persist(r);
  }

  private persist(r: ContainerRecord): void {
    this.ctx.save(r).catch((err) => this.ctx.deps.log('warn', `saving health of ${r.id}: ${err.message}`));
  }

  private stopLoop(id: string): boolean {
    const m = this.monitors.get(id);
    if (!m) return false;
    m.stopped = true;
    if (m.timer) clearTimeout(m.timer);
    this.monitors.delete(id);
    return true;
  }

  private openLoop(r: ContainerRecord): void {
    const m: Monitor = { stopped: false };
    this.monitors.set(r.id, m);
    const schedule = () => {
      const spec = this.spec(r);
      if (m.stopped || !spec) return;
      m.timer = setTimeout(() => void tick(spec), this.interval(r, spec));
      m.timer.unref();
    };
    const tick = async (spec: HealthProbeSpec) => {
      m.timer = undefined;
      if (m.stopped) return;
      if (!this.probe) return schedule();
      const start = new Date(this.now());
      const res = await this.probe.run(r.id, spec.cmd, spec.timeoutMs);
      if (m.stopped) return;
      this.record(r, spec, { Start: start.toISOString(), End: new Date(this.now()).toISOString(), ExitCode: res.exitCode, Output: res.output });
      schedule();
    };
    schedule();
  }

  /** Docker probes every StartInterval while starting within the start period, every Interval otherwise. */
  private interval(r: ContainerRecord, spec: HealthProbeSpec): number {
    const sinceStart = this.now() - Date.parse(r.state.StartedAt);
    if (sinceStart < spec.startPeriodMs && r.state.Health?.Status === 'starting') return spec.startIntervalMs;
    return spec.intervalMs;
  }

  /** moby's handleProbeResult. */
  private record(r: ContainerRecord, spec: HealthProbeSpec, result: HealthLogEntry): void {
    const h = r.state.Health;
    if (!h) return;
    const old = h.Status;
    h.Log = [...h.Log, result].slice(-MAX_LOG_ENTRIES);
    if (result.ExitCode === 0) {
      h.FailingStreak = 0;
      h.Status = 'healthy';
    } else {
      // Failures while starting inside the start period do not count.
      const inStartPeriod = h.Status === 'starting' && Date.parse(result.Start) - Date.parse(r.state.StartedAt) < spec.startPeriodMs;
      if (!inStartPeriod) {
        h.FailingStreak++;
        if (h.FailingStreak >= spec.retries) h.Status = 'unhealthy';
      }
    }
    this.persist(r);
    if (h.Status !== old) this.ctx.emit(r, `health_status: ${h.Status}`);
  }
}

/** Docker's message for a probe that outran its timeout. */
export function timeoutOutput(timeoutMs: number): string {
  return `Health check exceeded timeout (${formatGoDuration(timeoutMs)})`;
}
