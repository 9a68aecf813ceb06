// Removes a test daemon's network traces even when it crashed: its iptables rules and chains, its bridges.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** What a daemon's data root says it made: its bridges and the IDs of its containers. */
export function daemonNetworkNames(dataRoot: string, defaultBridge: string): { bridges: string[]; containerIds: string[] } {
  const records = (kind: string) => {
    const dir = path.join(dataRoot, 'metadata', kind);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)) : [];
  };
  const bridges = new Set([defaultBridge]);
  for (const f of records('networks')) {
    try { bridges.add(JSON.parse(readFileSync(f, 'utf8')).bridge); } catch { /* half-written */ }
  }
  const ids = new Set([...records('containers'), ...records('sandboxes')].map((f) => path.basename(f, '.json')));
  return { bridges: [...bridges], containerIds: [...ids] };
}

/** Run a program in the network namespace pinned at `netns` (the test's own when undefined). */
export function inNetns(netns: string | undefined, cmd: string, args: string[], opts: { input?: string } = {}): string {
  const [file, argv] = netns ? ['nsenter', [`--net=${netns}`, cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { encoding: 'utf8', input: opts.input, stdio: ['pipe', 'pipe', 'ignore'] });
}

/** iptables-save lines of `table` that belong to this daemon: its chains, its bridges, its containers' CNI rules. */
export function ownedRules(table: string, bridges: string[], containerIds: string[], chain: string, netns?: string): string[] {
  const saved = inNetns(netns, 'iptables-save', ['-t', table]);
  return saved.split('\n').filter((l) => l.startsWith('-A ') && (
    l.includes(chain) || bridges.some((b) => new RegExp(`-[io] ${b}( |$)`).test(l)) || containerIds.some((id) => l.includes(id))
  ));
}

/** Delete the daemon's rules, the CNI chains they jump to, its own chain, then its bridges. */
export function cleanNetworking(dataRoot: string, defaultBridge: string, netns?: string): void {
  const { bridges, containerIds } = daemonNetworkNames(dataRoot, defaultBridge);
  const chain = `BERTH-${defaultBridge}`;
  for (const table of ['filter', 'nat', 'raw']) {
    const rules = ownedRules(table, bridges, containerIds, chain, netns);
    const chains = new Set<string>();
    for (const r of rules) {
      const jump = / -j (CNI-[A-Za-z0-9-]+|BERTH-[A-Za-z0-9-]+)/.exec(r)?.[1];
      if (jump && !jump.startsWith('CNI-HOSTPORT-')) chains.add(jump);
      const own = /^-A (CNI-(?!HOSTPORT-)[A-Za-z0-9-]+|BERTH-[A-Za-z0-9-]+) /.exec(r)?.[1];
      if (own && own !== 'CNI-FORWARD' && own !== 'CNI-ADMIN') chains.add(own);
    }
    const deletes = rules.filter((r) => !chains.has(r.split(' ')[1])).map((r) => `-D ${r.slice(3)}`);
    const existing = inNetns(netns, 'iptables-save', ['-t', table]);
    const live = [...chains].filter((c) => existing.includes(`:${c} `));
    if (!deletes.length && !live.length) continue;
    const input = [`*${table}`, ...deletes, ...live.map((c) => `-F ${c}`), ...live.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
    try { inNetns(netns, 'iptables-restore', ['-w', '--noflush'], { input }); } catch { /* raced with the daemon's own teardown */ }
  }
  for (const b of bridges) {
    try { inNetns(netns, 'ip', ['link', 'del', b]); } catch { /* never made or already gone */ }
  }
}
