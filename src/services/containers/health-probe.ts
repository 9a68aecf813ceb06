// Health probes as Docker runs them: an exec in the container (so exec_create/exec_start/exec_die events follow), output capped, a timeout.
import type { ExecService } from './index';
import type { HealthProbe } from './health';
import { timeoutOutput } from './health';

/** Docker keeps at most this much of a probe's output. */
const MAX_OUTPUT = 4096;

export class ExecHealthProbe implements HealthProbe {
  /** `kill` ends a probe that outran its timeout (host PID of the exec'd process). */
  constructor(private readonly execs: ExecService, private readonly kill: (pid: number) => void = (pid) => process.kill(pid, 'SIGKILL')) {}

  async run(containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    try {
      const { Id } = await this.execs.create(containerId, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const session = await this.execs.start(Id, { detach: false });
      if (!session) return { exitCode: -1, output: 'health probe did not attach' };
      const chunks: Buffer[] = [];
      let size = 0;
      session.on('data', (_stream: string, chunk: Buffer) => {
        if (size >= MAX_OUTPUT) return;
        const part = chunk.subarray(0, MAX_OUTPUT - size);
        chunks.push(part);
        size += part.length;
      });
      const ended = new Promise<boolean>((resolve) => session.once('end', () => resolve(true)));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
      session.resume();
      const finished = await Promise.race([ended, timedOut]);
      clearTimeout(timer);
      if (!finished) {
        this.killExec(Id);
        session.detach();
        return { exitCode: -1, output: timeoutOutput(timeoutMs) };
      }
      const { ExitCode } = this.execs.inspect(Id) as { ExitCode: number | null };
      return { exitCode: ExitCode ?? -1, output: Buffer.concat(chunks).toString() };
    } catch (err) {
      return { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
    }
  }

  private killExec(execId: string): void {
    const { Pid } = this.execs.inspect(execId) as { Pid: number };
    if (Pid > 0) {
      try {
        this.kill(Pid);
      } catch { /* already gone */ }
    }
  }
}
