// The embedded DNS server: answers container names and aliases on each user network's gateway, forwards the rest.
import dgram from 'node:dgram';
import * as packet from 'dns-packet';

/** What the server asks the network service: the IPv4 addresses `name` has for the container at `clientIp`, or undefined if unknown. */
export type NameLookup = (clientIp: string, name: string) => { addresses: string[]; upstreams: string[] };

const FORWARD_TIMEOUT_MS = 4000;

export class EmbeddedDns {
  private readonly sockets = new Map<string, dgram.Socket>();

  constructor(private readonly lookup: NameLookup, private readonly log: (msg: string) => void) {}

  /** Listen on ip:53 (UDP); a second call for the same address is a no-op. */
  async listen(ip: string): Promise<void> {
    if (this.sockets.has(ip)) return;
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    sock.on('message', (msg, rinfo) => this.answer(sock, msg, rinfo).catch((err) => this.log(`dns ${ip}: ${err.message}`)));
    sock.on('error', (err) => this.log(`dns ${ip}: ${err.message}`));
    this.sockets.set(ip, sock);
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(53, ip, () => { sock.off('error', reject); resolve(); });
    }).catch((err) => { this.sockets.delete(ip); sock.close(); throw err; });
  }

  close(ip: string): void {
    this.sockets.get(ip)?.close();
    this.sockets.delete(ip);
  }

  closeAll(): void {
    for (const ip of [...this.sockets.keys()]) this.close(ip);
  }

  private async answer(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): Promise<void> {
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return; // not DNS: drop it
    }
    const q = query.questions?.[0];
    if (!q) return;
    const name = q.name.replace(/\.$/, '').toLowerCase();
    const found = this.lookup(rinfo.address, name);
    if (found.addresses.length) {
      const answers = q.type === 'A'
        ? found.addresses.map((data) => ({ type: 'A' as const, name: q.name, ttl: 600, class: 'IN' as const, data }))
        : [];
      const reply = packet.encode({ id: query.id, type: 'response', flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE, questions: [q], answers });
      sock.send(reply, rinfo.port, rinfo.address);
      return;
    }
    const reply = await forward(msg, found.upstreams);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
    else sock.send(packet.encode({ id: query.id, type: 'response', flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | 2, questions: [q] }), rinfo.port, rinfo.address);
  }
}

/** Ask each upstream in turn; the first reply wins. Undefined when none answered (the caller sends SERVFAIL). */
async function forward(msg: Buffer, upstreams: string[]): Promise<Buffer | undefined> {
  for (const server of upstreams) {
    const reply = await new Promise<Buffer | undefined>((resolve) => {
      const s = dgram.createSocket(server.includes(':') ? 'udp6' : 'udp4');
      const done = (b?: Buffer) => { clearTimeout(timer); s.close(); resolve(b); };
      const timer = setTimeout(() => done(), FORWARD_TIMEOUT_MS);
      s.on('error', () => done());
      s.on('message', (b) => done(b));
      s.send(msg, 53, server);
    });
    if (reply) return reply;
  }
  return undefined;
}
