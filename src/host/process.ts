// The one place berth spawns a helper program and waits for it: timeout, captured output, typed failure.
import { spawn } from 'node:child_process';
import { SystemError } from '../errors';

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Resolve with the result instead of rejecting when the exit code is not 0. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Run `cmd args…` to completion. Rejects with SystemError naming the command and its stderr on failure or timeout. */
export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new SystemError(`${cmd}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? 128 + (signal ? 9 : 0),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
      if (timedOut) {
        reject(new SystemError(`${cmd} ${args.join(' ')}: timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`));
      } else if (result.code !== 0 && !opts.allowFailure) {
        const detail = (result.stderr || result.stdout).trim();
        reject(new SystemError(`${cmd} ${args[0] ?? ''} failed (exit ${result.code}): ${detail}`));
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => { /* the child may exit before reading its input */ });
    child.stdin.end(opts.input ?? undefined);
  });
}
