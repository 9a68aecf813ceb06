// RUN: the command in a real container on the step's parent image, its output streamed to the build, its exit status returned.
import type { ContainerService } from '../services/containers';

export interface RunSpec {
  image: string;
  cmd: string[];
  env: string[];
  workingDir?: string;
  user?: string;
  hostConfig: Record<string, unknown>;
  /** The container's upper dir becomes a layer and the container goes: its writes need no sync on unmount. */
  volatileRootfs?: boolean;
}

/**
 * Create the container, attach to its output before it starts so nothing is
 * lost, start it and wait until it exits and its output has ended. The caller
 * commits and removes the container (`onCreated` gives it the ID early, so a
 * failure later can still clean up).
 */
export async function runStep(containers: ContainerService, spec: RunSpec, onCreated: (id: string) => void,
  onOutput: (chunk: Buffer) => void, signal?: AbortSignal): Promise<number> {
  const { Id } = await containers.create(undefined, {
    Image: spec.image,
    Cmd: spec.cmd,
    Entrypoint: [],
    Env: spec.env,
    WorkingDir: spec.workingDir ?? '',
    User: spec.user ?? '',
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: spec.hostConfig,
  }, { volatileRootfs: spec.volatileRootfs });
  onCreated(Id);
  const session = await containers.attach(Id, { stdin: false, stdout: true, stderr: true });
  const ended = new Promise<void>((resolve) => session.once('end', resolve));
  session.on('data', (_stream: string, chunk: Buffer) => onOutput(chunk));
  try {
    await containers.start(Id);
  } catch (err) {
    session.detach();
    throw err;
  }
  const abort = new AbortController();
  const onAbort = () => {
    void containers.kill(Id, 'SIGKILL').catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await containers.wait(Id, 'not-running', abort.signal);
    await ended;
    return result.StatusCode;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
