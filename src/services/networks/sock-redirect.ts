// Published ports for the host's own clients as a socket-level redirect (cgroup connect4/sendmsg4/recvmsg4/getpeername4 BPF), in front of the DNAT rules.
//
// One program set and map set per daemon, loaded from bpf/sock-redirect.bpf.o (built by `make build`) with bpftool,
// pinned in a bpffs the daemon mounts at <exec-root>/bpf, attached with BPF_F_ALLOW_MULTI to the cgroup2 root so
// several daemons (and a dockerd) stack. The per-daemon `config` map is named after the daemon's bridge: that name is
// how a program left by a crash is found again, pins or not. The program acts only on sockets in the daemon's own
// network namespace (its cookie is read by the bpf/netns-cookie helper); everything else, and any failure here, is
// left to the DNAT rules (port-nat.ts), which stay.
import { existsSync } from 'node:fs';
import { readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Host, RunOptions, RunResult } from '../../host';
import { mountPointOfType } from '../../host/mount-table';
import type { PortRedirect, PublishedPorts } from './port-nat';
import { localEntries, mapChanges, serviceEntries, u64Hex } from './sock-redirect-maps';

/** Program names (as the object file has them) → bpftool's attach type. */
const PROGRAMS = { berth_connect4: 'connect4', berth_getpeername4: 'getpeername4', berth_sendmsg4: 'sendmsg4', berth_recvmsg4: 'recvmsg4' } as const;
const BUILT = path.join(__dirname, 'bpf');

type Run = (cmd: string, args: string[], opts?: RunOptions) => Promise<RunResult>;

/** A BPF object name (15 characters of [A-Za-z0-9_.]) for the daemon's bridge. */
function redirectMapName(bridge: string): string {
  return bridge.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15);
}

/** Where the cgroup2 hierarchy is mounted (/sys/fs/cgroup on a pure v2 host, often /sys/fs/cgroup/unified on a hybrid one). */
export async function cgroup2Root(): Promise<string | undefined> {
  return mountPointOfType(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''), 'cgroup2');
}

/** The berth programs attached to the cgroup2 root on behalf of the daemon of `bridge`: those using its config map. */
export async function attachedRedirect(run: Run, cgroup: string, bridge: string): Promise<Array<{ id: number; type: string }>> {
  const json = async (args: string[]) => {
    const r = await run('bpftool', ['-j', ...args], { allowFailure: true }).catch(() => undefined);
    return r?.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : [];
  };
  // The kernel keeps 15 characters of a program's name; bpftool may show the full one from BTF.
  const typeOf = (name = '') => Object.entries(PROGRAMS).find(([n]) => name && (n.startsWith(name) || name.startsWith(n)))?.[1];
  const attached = (await json(['cgroup', 'show', cgroup]) as Array<{ id: number; name?: string }>).filter((a) => typeOf(a.name));
  if (!attached.length) return [];
  const maps = new Map((await json(['map', 'show']) as Array<{ id: number; name?: string }>).map((m) => [m.id, m.name]));
  const progs = new Map((await json(['prog', 'show']) as Array<{ id: number; map_ids?: number[] }>).map((p) => [p.id, p]));
  return attached
    .filter((a) => (progs.get(a.id)?.map_ids ?? []).some((id) => maps.get(id) === redirectMapName(bridge)))
    .map((a) => ({ id: a.id, type: typeOf(a.name)! }));
}

/** Detach the programs of the daemon of `bridge` (a crash's leftovers, or a test daemon's after its test); how many went. */
export async function detachRedirect(run: Run, cgroup: string, bridge: string): Promise<number> {
  let n = 0;
  for (const a of await attachedRedirect(run, cgroup, bridge)) {
    const r = await run('bpftool', ['cgroup', 'detach', cgroup, a.type, 'id', String(a.id)], { allowFailure: true });
    if (r.code === 0) n++;
  }
  return n;
}

export class SockRedirect implements PortRedirect {
  private cgroup?: string;
  private ready = false;
  private warned = false;
  /** What the maps hold now (key hex → value hex). */
  private services = new Map<string, string>();
  private locals = new Map<string, string>();
  private readonly dir: string;

  constructor(
    private readonly host: Host,
    private readonly opts: {
      execRoot: string; bridge: string; log: (level: 'info' | 'warn', msg: string) => void;
      /** Tests: where the object and helper are, and the cgroup2 root (else found in the mount table). */
      builtDir?: string; cgroup?: string;
    },
  ) {
    this.dir = path.join(opts.execRoot, 'bpf');
  }

  /** True once the programs are attached: published TCP and UDP ports then skip NAT for the host's clients. */
  get active(): boolean {
    return this.ready;
  }

  /** Remove what a previous run left, then load, pin and attach afresh; on any failure log once and leave ports to DNAT. */
  async start(): Promise<void> {
    try {
      await this.setup();
      this.ready = true;
    } catch (err) {
      this.warn(`socket-level redirect of published ports is off, DNAT alone serves them: ${(err as Error).message}`);
      await this.stop();
    }
  }

  /** Program exactly these published ports (and the host's current addresses) into the maps. Failures are logged, not thrown. */
  async sync(published: PublishedPorts[]): Promise<void> {
    if (!this.ready) return;
    const services = serviceEntries(published);
    const locals = localEntries();
    const lines = [...mapChanges(this.pin('maps/services'), this.services, services), ...mapChanges(this.pin('maps/locals'), this.locals, locals)];
    if (!lines.length) return;
    const r = await this.host.run('bpftool', ['batch', 'file', '-'], { input: lines.join('\n') + '\n', allowFailure: true }).catch((e: Error) => ({ code: 1, stderr: e.message }));
    if (r.code !== 0) {
      // A batch stops at its first failing line: apply the others one by one.
      for (const l of lines) await this.host.run('bpftool', l.split(' '), { allowFailure: true }).catch(() => undefined);
      this.warn(`updating the socket-redirect maps: ${r.stderr.trim()}`);
    }
    this.services = services;
    this.locals = locals;
  }

  /** Detach, unpin and unmount. Safe when nothing was set up, and twice. */
  async stop(): Promise<void> {
    this.ready = false;
    if (this.cgroup) await detachRedirect((c, a, o) => this.host.run(c, a, o), this.cgroup, this.opts.bridge).catch(() => undefined);
    await this.host.unmount(this.dir).catch(() => undefined);
    await rmdir(this.dir).catch(() => undefined);
    this.services.clear();
    this.locals.clear();
  }

  private async setup(): Promise<void> {
    const built = this.opts.builtDir ?? BUILT;
    const object = path.join(built, 'sock-redirect.bpf.o');
    const cookieHelper = path.join(built, 'netns-cookie');
    for (const f of [object, cookieHelper]) if (!existsSync(f)) throw new Error(`${f} is missing (built by make build)`);
    // bpftool's batch lines are split on blanks.
    if (/\s/.test(this.dir + object)) throw new Error(`a path with blanks cannot be given to bpftool batch: ${this.dir}`);
    this.cgroup = this.opts.cgroup ?? await cgroup2Root();
    if (!this.cgroup) throw new Error('no cgroup2 hierarchy is mounted');
    await detachRedirect((c, a, o) => this.host.run(c, a, o), this.cgroup, this.opts.bridge);
    // A crash leaves the bpffs mounted with its pins: drop them with it.
    await this.host.unmount(this.dir);
    await this.host.mount([{ type: 'bpf', source: 'bpf', options: ['mode=0700'] }], this.dir);
    const cookie = BigInt((await this.host.run(cookieHelper, [])).stdout.trim());
    await this.bpftool(['map', 'create', this.pin('config'), 'type', 'array', 'key', '4', 'value', '8', 'entries', '1', 'name', redirectMapName(this.opts.bridge)]);
    // Not in the batch: bpftool 7.1's batch reports a stale errno (EEXIST) after a successful loadall.
    await this.bpftool(['prog', 'loadall', object, this.pin('progs'), 'map', 'name', 'config', 'pinned', this.pin('config'), 'pinmaps', this.pin('maps')]);
    const lines = [
      `map update pinned ${this.pin('config')} key hex 00 00 00 00 value hex ${u64Hex(cookie)}`,
      ...Object.entries(PROGRAMS).map(([name, type]) => `cgroup attach ${this.cgroup} ${type} pinned ${this.pin(`progs/${name}`)} multi`),
    ];
    await this.bpftool(['batch', 'file', '-'], lines.join('\n') + '\n');
  }

  private async bpftool(args: string[], input?: string): Promise<void> {
    const r = await this.host.run('bpftool', args, { input, allowFailure: true });
    if (r.code !== 0) throw new Error(`bpftool ${args.slice(0, 2).join(' ')}: ${r.stderr.trim() || r.stdout.trim()}`);
  }

  private pin(rel: string): string {
    return path.join(this.dir, rel);
  }

  private warn(msg: string): void {
    if (this.warned) return;
    this.warned = true;
    this.opts.log('warn', msg);
  }
}
