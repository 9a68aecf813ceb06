// berthd's own iptables chains (named per daemon): forwarding beside a DROP policy, isolation between networks, outbound NAT.
import type { Host } from '../../host';

export interface BridgeRule {
  bridge: string;
  subnet: string;
  internal: boolean;
}

/** Filter rules for our bridges, in order: internal networks stay inside; networks can't reach each other; the rest forwards. */
export function forwardRules(chain: string, bridges: BridgeRule[]): string[] {
  const rules: string[] = [];
  for (const b of bridges) {
    if (b.internal) rules.push(`-A ${chain} -i ${b.bridge} ! -o ${b.bridge} -j DROP`, `-A ${chain} -o ${b.bridge} ! -i ${b.bridge} -j DROP`);
    for (const other of bridges) if (other.bridge !== b.bridge) rules.push(`-A ${chain} -i ${b.bridge} -o ${other.bridge} -j DROP`);
  }
  for (const b of bridges) {
    rules.push(`-A ${chain} -i ${b.bridge} -j ACCEPT`);
    rules.push(`-A ${chain} -o ${b.bridge} -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT`);
  }
  return rules;
}

/**
 * NAT rules, per network, not per container: traffic leaving a non-internal network is masqueraded; so is traffic
 * that published ports (port-nat.ts) send into a bridge from the host's 127/8 or from the bridge itself (hairpin),
 * which the container could not answer otherwise. Only a connection's first packet walks these.
 */
export function natRules(chain: string, bridges: BridgeRule[]): string[] {
  return bridges.filter((b) => !b.internal).flatMap((b) => [
    `-A ${chain} -s ${b.subnet} ! -o ${b.bridge} -j MASQUERADE`,
    `-A ${chain} -s 127.0.0.0/8 -o ${b.bridge} -j MASQUERADE`,
    `-A ${chain} -s ${b.subnet} -o ${b.bridge} -m conntrack --ctstate DNAT -j MASQUERADE`,
  ]);
}

/** Raw rules for packets to 127/8 (the jump matches that): bridges have route_localnet for published ports on 127.0.0.1, so none may come from a bridge. */
export function rawRules(chain: string, bridges: BridgeRule[]): string[] {
  return bridges.map((b) => `-A ${chain} -i ${b.bridge} -j DROP`);
}

export class Firewall {
  /** `chain` must be unique per daemon, e.g. BERTH-<default bridge name>. */
  constructor(private readonly host: Host, readonly chain: string) {}

  /** Replace the chain's rules atomically and make sure filter FORWARD, nat POSTROUTING and raw PREROUTING jump to it first. */
  async sync(bridges: BridgeRule[]): Promise<void> {
    const input = [
      '*filter', `:${this.chain} - [0:0]`, ...forwardRules(this.chain, bridges), 'COMMIT',
      '*nat', `:${this.chain} - [0:0]`, ...natRules(this.chain, bridges), 'COMMIT',
      '*raw', `:${this.chain} - [0:0]`, ...rawRules(this.chain, bridges), 'COMMIT', '',
    ].join('\n');
    await this.host.run('iptables-restore', ['-w', '--noflush'], { input });
    await this.jump('filter', 'FORWARD');
    await this.jump('nat', 'POSTROUTING');
    // Only packets to 127/8 enter the raw chain: every other packet pays one match, not one per network.
    await this.jump('raw', 'PREROUTING', ['-d', '127.0.0.0/8']);
  }

  private async jump(table: string, from: string, match: string[] = []): Promise<void> {
    const rule = [...match, '-j', this.chain];
    const check = await this.host.run('iptables', ['-w', '-t', table, '-C', from, ...rule], { allowFailure: true });
    if (check.code !== 0) await this.host.run('iptables', ['-w', '-t', table, '-I', from, '1', ...rule]);
  }
}
