// Published ports as kernel NAT in the daemon's own nat chain: made with the first published port, removed with the last.
//
// The chain BERTH-<bridge>-DNAT is jumped to from nat PREROUTING (other hosts, containers) and OUTPUT (the host
// itself, 127.0.0.1 included) for local destinations only. The return path needs no rule per port: the bridges
// have route_localnet so 127.0.0.1 may be DNATed out of them, and the daemon's per-bridge nat rules (firewall.ts)
// masquerade what came from 127/8 or hairpins back into its own bridge. Nothing here marks packets or matches
// every packet: NAT rules are only walked by a connection's first packet. The host's own clients mostly skip all this:
// the redirect given to the constructor (sock-redirect.ts) sends their sockets straight to the container; these
// rules serve everyone else, and them too whenever the redirect is off.
import type { Host } from '../../host';
import type { PortMapping } from './port-spec';

/** A running container's address and the ports published to it. */
export interface PublishedPorts {
  ip: string;
  ports: PortMapping[];
}

/** One DNAT rule per mapping: protocol, host address (any when empty), host port → container address and port. */
export function dnatRules(chain: string, published: PublishedPorts[]): string[] {
  return published.flatMap((p) => p.ports.map((m) => {
    const dst = m.hostIp && m.hostIp !== '0.0.0.0' ? ` -d ${m.hostIp}/32` : '';
    return `-A ${chain} -p ${m.protocol}${dst} -m ${m.protocol} --dport ${m.hostPort} -j DNAT --to-destination ${p.ip}:${m.containerPort}`;
  }));
}

const HOOKS = ['PREROUTING', 'OUTPUT'] as const;

/** A faster path beside the NAT for some clients (sock-redirect.ts): told every published port after each sync; never throws. */
export interface PortRedirect {
  sync(published: PublishedPorts[]): Promise<void>;
}

export class PortNat {
  private readonly published = new Map<string, PublishedPorts>();
  /** Syncs run one after another, each writing the state as it is when it runs. */
  private queue: Promise<void> = Promise.resolve();

  /** `chain` must be unique per daemon, e.g. BERTH-<default bridge>-DNAT (at most 28 characters). */
  constructor(private readonly host: Host, readonly chain: string, private readonly redirect?: PortRedirect) {}

  /** Publish (or replace) the ports of `owner`, a container ID. */
  async publish(owner: string, p: PublishedPorts): Promise<void> {
    this.adopt(owner, p);
    await this.sync();
    for (const m of p.ports) if (m.protocol === 'udp') await this.forgetFlows(m);
  }

  /** Record what a previous run published, to be programmed by the next sync(). */
  adopt(owner: string, p: PublishedPorts): void {
    if (p.ports.length) this.published.set(owner, p);
    else this.published.delete(owner);
  }

  unpublish(owner: string): Promise<void> {
    if (!this.published.delete(owner)) return this.queue;
    return this.sync();
  }

  /** Program exactly what is published now; with nothing published, remove the chain and its jumps (safe when absent). */
  sync(): Promise<void> {
    const next = this.queue.then(() => (this.published.size ? this.install() : this.uninstall()))
      .then(() => this.redirect?.sync([...this.published.values()]));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async install(): Promise<void> {
    const input = ['*nat', `:${this.chain} - [0:0]`, ...dnatRules(this.chain, [...this.published.values()]), 'COMMIT', ''].join('\n');
    await this.host.run('iptables-restore', ['-w', '--noflush'], { input });
    for (const hook of HOOKS) {
      if (!(await this.hasJump(hook))) await this.host.run('iptables', ['-w', '-t', 'nat', '-I', hook, '1', ...this.jump()]);
    }
  }

  private async uninstall(): Promise<void> {
    for (const hook of HOOKS) {
      while (await this.hasJump(hook)) await this.host.run('iptables', ['-w', '-t', 'nat', '-D', hook, ...this.jump()]);
    }
    const exists = await this.host.run('iptables', ['-w', '-t', 'nat', '-S', this.chain], { allowFailure: true });
    if (exists.code !== 0) return;
    await this.host.run('iptables', ['-w', '-t', 'nat', '-F', this.chain]);
    await this.host.run('iptables', ['-w', '-t', 'nat', '-X', this.chain]);
  }

  /**
   * UDP has no connection to end: a sender that kept its source port would stay on the flow conntrack made
   * before (to a removed container, or to the socket holding the port) and never meet the new DNAT rule.
   * Without the conntrack tool that flow lives until it idles out.
   */
  private async forgetFlows(m: PortMapping): Promise<void> {
    const dst = m.hostIp && m.hostIp !== '0.0.0.0' ? ['--orig-dst', m.hostIp] : [];
    await this.host.run('conntrack', ['-D', '-p', 'udp', ...dst, '--orig-port-dst', String(m.hostPort)], { allowFailure: true }).catch(() => undefined);
  }

  private async hasJump(hook: string): Promise<boolean> {
    return (await this.host.run('iptables', ['-w', '-t', 'nat', '-C', hook, ...this.jump()], { allowFailure: true })).code === 0;
  }

  private jump(): string[] {
    return ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', this.chain];
  }
}
