// A real registry for tests: Debian's docker-registry on 127.0.0.1 with a free port and its own storage, optionally behind htpasswd.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before } from 'node:test';
import { run } from './harness';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** host:port, e.g. "127.0.0.1:40123". */
  host: string;
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Start a registry; with `user`, every request needs Basic credentials (bcrypt htpasswd). */
export async function startRegistry(opts: { user?: { name: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync('/tmp/berth-registry-');
  const port = await freePort();
  let auth = '';
  if (opts.user) {
    const h = await run('htpasswd', ['-Bbn', opts.user.name, opts.user.password]);
    if (h.code !== 0) throw new Error(`htpasswd failed: ${h.stderr}`);
    writeFileSync(path.join(dir, 'htpasswd'), h.stdout);
    auth = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  }
  writeFileSync(path.join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  const proc: ChildProcess = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (b) => (log += b.toString()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status === 200 || r.status === 401, () => false);
    if (ok) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host: `127.0.0.1:${port}`, dir, stop };
}

export const haveRegistry = (): boolean => existsSync(REGISTRY_BIN);

/** A registry for the whole test file (started before, stopped after), or a skip reason when none is installed. */
export function useRegistry(): { readonly reg: TestRegistry; skip: string | false } {
  const state = { reg: undefined as unknown as TestRegistry, skip: !haveRegistry() && 'docker-registry is not installed (apt-get install docker-registry)' };
  before(async () => {
    if (!state.skip) state.reg = await startRegistry();
  });
  after(async () => {
    await state.reg?.stop();
  });
  return state;
}
