// berthd's own iptables chain (named per daemon): lets our bridges forward beside a DROP policy and isolates networks.
import type { Host } from '../../host';

export interface BridgeRule {
  bridge: string;
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

export class Firewall {
  /** `chain` must be unique per daemon, e.g. BERTH-<default bridge name>. */
  constructor(private readonly host: Host, readonly chain: string) {}

  /** Replace the chain's rules atomically and make sure FORWARD jumps to it first. */
  async sync(bridges: BridgeRule[]): Promise<void> {
    const input = ['*filter', `:${this.chain} - [0:0]`, ...forwardRules(this.chain, bridges), 'COMMIT', ''].join('\n');
    await this.host.run('iptables-restore', ['-w', '--noflush'], { input });
    const check = await this.host.run('iptables', ['-w', '-C', 'FORWARD', '-j', this.chain], { allowFailure: true });
    if (check.code !== 0) await this.host.run('iptables', ['-w', '-I', 'FORWARD', '1', '-j', this.chain]);
  }
}
