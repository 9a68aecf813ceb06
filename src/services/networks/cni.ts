// Runs CNI plugins by the CNI protocol (config on stdin, CNI_* variables), chaining prevResult like a conflist.
import type { Host } from '../../host';
import { SystemError } from '../../errors';

export const CNI_VERSION = '1.0.0';

export interface CniPluginConf {
  type: string;
  [key: string]: unknown;
}

export interface CniResult {
  cniVersion?: string;
  interfaces?: Array<{ name: string; mac?: string; sandbox?: string }>;
  ips?: Array<{ address: string; gateway?: string; interface?: number }>;
  [key: string]: unknown;
}

/** Who the call is for: the container, its netns file, the interface inside it, and CNI_ARGS ("K=V;K=V"). */
export interface CniTarget {
  containerId: string;
  netns: string;
  ifname: string;
  args?: string;
}

export class CniExec {
  constructor(private readonly host: Host, private readonly binDir = '/usr/lib/cni') {}

  /** ADD each plugin in order, handing each the previous result; the last result is the network's. */
  async add(network: string, plugins: CniPluginConf[], target: CniTarget): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const p of plugins) {
      const out = await this.call('ADD', network, p, target, prev);
      prev = out ?? prev;
    }
    return prev ?? {};
  }

  /** DEL in reverse order; every plugin is asked even when one fails, and the first failure is reported after. */
  async del(network: string, plugins: CniPluginConf[], target: CniTarget, prevResult?: CniResult): Promise<void> {
    let first: unknown;
    for (const p of [...plugins].reverse()) {
      await this.call('DEL', network, p, target, prevResult).catch((err) => { first ??= err; });
    }
    if (first) throw first;
  }

  private async call(command: 'ADD' | 'DEL', network: string, plugin: CniPluginConf, t: CniTarget, prevResult?: CniResult): Promise<CniResult | undefined> {
    const conf = { cniVersion: CNI_VERSION, name: network, ...plugin, ...(prevResult ? { prevResult } : {}) };
    const res = await this.host.run(`${this.binDir}/${plugin.type}`, [], {
      input: JSON.stringify(conf),
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        CNI_COMMAND: command, CNI_CONTAINERID: t.containerId, CNI_NETNS: t.netns, CNI_IFNAME: t.ifname,
        CNI_PATH: this.binDir, CNI_ARGS: t.args ?? '',
      },
      allowFailure: true,
    });
    if (res.code !== 0) {
      let msg = res.stderr.trim() || res.stdout.trim();
      try {
        const e = JSON.parse(res.stdout) as { msg?: string; details?: string };
        msg = [e.msg, e.details].filter(Boolean).join(': ');
      } catch { /* not JSON: keep the raw text */ }
      throw new SystemError(`CNI ${plugin.type} ${command} for ${t.containerId.slice(0, 12)} on ${network}: ${msg}`);
    }
    if (command === 'DEL' || !res.stdout.trim()) return undefined;
    return JSON.parse(res.stdout) as CniResult;
  }
}
