// System routes: /_ping, /version, /info.
import os from 'node:os';
import type { Router } from '../router';
import { COMMON_HEADERS } from '../respond';
import { API_VERSION, MIN_API_VERSION } from '../version';
import { FASTCOPY_HEADER } from './fastcopy';

export interface SystemBackend {
  info(): Promise<Record<string, unknown>>;
  df(): Promise<object>;
}

export const BERTH_VERSION = '0.1.0';

function arch(): string {
  return ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
}

export function versionBody(): Record<string, unknown> {
  const details = {
    ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, GitCommit: 'berth', GoVersion: `node${process.versions.node}`,
    Os: 'linux', Arch: arch(), KernelVersion: os.release(), BuildTime: '', Experimental: 'false',
  };
  return {
    Platform: { Name: 'berth' },
    Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: details }],
    Version: BERTH_VERSION,
    ...details,
    Experimental: false,
  };
}

export function systemRoutes(router: Router, backend: SystemBackend): void {
  const ping = async (req: import('../request').ApiRequest) => {
    const res = req.res!;
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', 'Pragma': 'no-cache', 'Builder-Version': '1', [FASTCOPY_HEADER]: '1' });
    res.end(req.req.method === 'HEAD' ? undefined : 'OK');
  };
  router.add('GET', '/_ping', ping);
  router.add('HEAD', '/_ping', ping);
  router.add('GET', '/version', async () => ({ body: versionBody() }));
  router.add('GET', '/info', async () => ({ body: await backend.info() }));
  router.add('GET', '/system/df', async () => ({ body: await backend.df() }));
}
