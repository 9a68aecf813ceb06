// Host ports published by this daemon: chosen (a free one when none was asked), and held open so nobody else takes them.
import dgram from 'node:dgram';
import net from 'node:net';
import { ConflictError, SystemError } from '../../errors';
import type { PortMapping, PortRequest } from './port-spec';

/** Linux's default ephemeral range, where Docker picks free ports too. */
const FREE_RANGE: [number, number] = [32768, 60999];

type Holder = net.Server | dgram.Socket;

function keyOf(ip: string, port: number, proto: string): string {
  return `${ip || '0.0.0.0'}:${port}/${proto}`;
}

export class HostPorts {
  /** Reserved mappings: "ip:port/proto" → the socket that holds it and its owner. */
  private readonly held = new Map<string, { owner: string; holder: Holder }>();
  private next = FREE_RANGE[0];

  /** Choose and hold a host port for each request; on failure, nothing stays held for `owner`. */
  async reserve(owner: string, requests: PortRequest[]): Promise<PortMapping[]> {
    const out: PortMapping[] = [];
    try {
      for (const r of requests) out.push(await this.reserveOne(owner, r));
    } catch (err) {
      this.release(owner);
      throw err;
    }
    return out;
  }

  /** Hold exactly these mappings again (after a daemon restart); ports lost meanwhile are reported, not fatal. */
  async readopt(owner: string, mappings: PortMapping[], log: (msg: string) => void): Promise<void> {
    for (const m of mappings) {
      await this.hold(owner, m.hostIp, m.hostPort, m.protocol).catch((err) => log(`re-holding ${keyOf(m.hostIp, m.hostPort, m.protocol)}: ${err.message}`));
    }
  }

  release(owner: string): void {
    for (const [key, h] of this.held) {
      if (h.owner !== owner) continue;
      h.holder.close();
      this.held.delete(key);
    }
  }

  private async reserveOne(owner: string, r: PortRequest): Promise<PortMapping> {
    const base = { containerPort: r.containerPort, protocol: r.protocol, hostIp: r.hostIp };
    if (r.hostPort && r.hostPort === r.hostPortEnd) {
      await this.hold(owner, r.hostIp, r.hostPort, r.protocol);
      return { ...base, hostPort: r.hostPort };
    }
    const [lo, hi] = r.hostPort ? [r.hostPort, r.hostPortEnd] : FREE_RANGE;
    const span = hi - lo + 1;
    const start = r.hostPort ? lo : this.next;
    for (let i = 0; i < span; i++) {
      const port = lo + ((start - lo + i) % span);
      const ok = await this.hold(owner, r.hostIp, port, r.protocol).then(() => true, () => false);
      if (!ok) continue;
      if (!r.hostPort) this.next = port + 1 > hi ? lo : port + 1;
      return { ...base, hostPort: port };
    }
    throw new SystemError(`all ports are allocated in range ${lo}-${hi}`);
  }

  private async hold(owner: string, ip: string, port: number, proto: string): Promise<void> {
    const addr = ip || '0.0.0.0';
    const key = keyOf(ip, port, proto);
    const clash = [...this.held.keys()].find((k) => k.endsWith(`:${port}/${proto}`) && (k.startsWith('0.0.0.0:') || addr === '0.0.0.0' || k === key));
    if (clash) throw new ConflictError(`Bind for ${addr}:${port} failed: port is already allocated`);
    let holder: Holder;
    try {
      holder = proto === 'udp' ? await bindUdp(addr, port) : await listenTcp(addr, port);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'address already in use' : (err as Error).message;
      throw new ConflictError(`failed to bind host port ${addr}:${port}/${proto}: listen ${proto}4 ${addr}:${port}: bind: ${why}`);
    }
    this.held.set(key, { owner, holder });
  }
}

/** A listening socket that never accepts: kernel NAT sends the traffic to the container before it gets here. */
function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer((c) => c.destroy());
    s.once('error', reject);
    s.listen({ host, port, exclusive: true, backlog: 1 }, () => { s.off('error', reject); resolve(s); });
  });
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind({ address, port, exclusive: true }, () => { s.off('error', reject); resolve(s); });
  });
}
