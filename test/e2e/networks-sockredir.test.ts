// Published ports reached from the host skip NAT: the daemon's cgroup BPF programs send TCP and UDP straight to the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { run, useDaemon } from './harness';
import { eventually, hostAddress } from './net-helpers';
import { attachedRedirect, cgroup2Root } from '../../src/services/networks/sock-redirect';

const ctx = useDaemon();
const ALL_PROGRAMS = ['connect4', 'getpeername4', 'recvmsg4', 'sendmsg4'];

/** httpd whose /cgi-bin/ip answers the client address the container sees. */
const WHOAMI = ['busybox', 'sh', '-c', 'mkdir -p /w/cgi-bin && printf "#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho \\$REMOTE_ADDR\\n" > /w/cgi-bin/ip && chmod +x /w/cgi-bin/ip && exec httpd -f -p 80 -h /w'];

async function cgroup(): Promise<string> {
  const root = await cgroup2Root();
  assert.ok(root, 'this machine has a cgroup2 hierarchy');
  return root;
}

async function programs(): Promise<string[]> {
  return (await attachedRedirect(run, await cgroup(), ctx.d.bridge)).map((p) => p.type).sort();
}

/** The daemon's services map as "hostIp:port/tcp" → "containerIp:port", from the bytes bpftool dumps (network byte order). */
async function services(): Promise<Record<string, string>> {
  const r = await run('bpftool', ['-j', 'map', 'dump', 'pinned', path.join(ctx.d.execRoot, 'bpf', 'maps', 'services')]);
  assert.equal(r.code, 0, r.stderr);
  const addr = (b: number[]) => `${b.slice(0, 4).join('.')}:${(b[4] << 8) | b[5]}`;
  const out: Record<string, string> = {};
  for (const e of JSON.parse(r.stdout) as Array<{ key: string[]; value: string[] }>) {
    const [key, value] = [e.key, e.value].map((hex) => hex.map((h) => parseInt(h, 16)));
    out[`${addr(key)}/${({ 6: 'tcp', 17: 'udp' } as Record<number, string>)[key[6]] ?? key[6]}`] = addr(value);
  }
  return out;
}

/** The client address the container saw (busybox httpd's CGI headers are not strict HTTP, so curl reads them). */
async function whoami(url: string): Promise<string> {
  const r = await run('curl', ['-sf', '--max-time', '5', `${url}/cgi-bin/ip`]);
  if (r.code !== 0) throw new Error(`curl ${url}: exit ${r.code}`);
  return r.stdout.trim();
}

async function containerIp(id: string): Promise<string> {
  return (await ctx.d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim();
}

/** Connect to addr:port; what getpeername() says and what the kernel's socket table (ss) says the peer really is. */
async function dial(addr: string, port: number): Promise<{ peerName: string; kernelPeer: string }> {
  const sock = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: addr, port }, () => resolve(s));
    s.once('error', reject);
  });
  try {
    const ss = await run('ss', ['-Htn', 'state', 'established', 'sport', '=', `:${sock.localPort}`]);
    return { peerName: `${sock.remoteAddress}:${sock.remotePort}`, kernelPeer: ss.stdout.trim().split(/\s+/).pop() ?? '' };
  } finally {
    sock.destroy();
  }
}

test('a published TCP port is redirected at connect(): the container is the kernel peer, getpeername shows the address dialled, the source is as with DNAT', async () => {
  assert.deepEqual(await programs(), ALL_PROGRAMS);
  const id = (await ctx.d.docker(['run', '-d', '-p', '18611:80', ...WHOAMI])).stdout.trim();
  const ip = await containerIp(id);
  assert.deepEqual(await services(), { '0.0.0.0:18611/tcp': `${ip}:80` });

  const gateway = ctx.d.subnet.split('/')[0];
  // As with DNAT: a client of 127.0.0.1 appears as the bridge's gateway, a client of a host address as that address.
  assert.equal(await eventually(() => whoami('http://127.0.0.1:18611')), `[::ffff:${gateway}]`);
  assert.equal(await whoami(`http://${hostAddress()}:18611`), `[::ffff:${hostAddress()}]`);

  for (const addr of ['127.0.0.1', '127.0.0.9', hostAddress()]) {
    assert.deepEqual(await dial(addr, 18611), { peerName: `${addr}:18611`, kernelPeer: `${ip}:80` }, `dialling ${addr}`);
  }
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
  assert.deepEqual(await services(), {});
});

test('a port published on one host address is redirected for that address only', async () => {
  const id = (await ctx.d.docker(['run', '-d', '-p', '127.0.0.1:18613:80', ...WHOAMI])).stdout.trim();
  const ip = await containerIp(id);
  assert.deepEqual(await services(), { '127.0.0.1:18613/tcp': `${ip}:80` });
  await eventually(() => whoami('http://127.0.0.1:18613'));
  assert.deepEqual(await dial('127.0.0.1', 18613), { peerName: '127.0.0.1:18613', kernelPeer: `${ip}:80` });
  await assert.rejects(dial(hostAddress(), 18613), /ECONNREFUSED/);
  await assert.rejects(dial('127.0.0.2', 18613), /ECONNREFUSED/);
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
});

/** One datagram to addr:port from a fresh socket (connected first when asked): the answer, who it came from, and our port. */
function udpAsk(addr: string, port: number, text: string, connected = false): Promise<{ answer: string; from: string; peerName?: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => { sock.close(); reject(new Error(`no UDP answer from ${addr}:${port}`)); }, 1000);
    sock.on('message', (msg, rinfo) => {
      clearTimeout(timer);
      const peer = connected ? sock.remoteAddress() : undefined;
      const localPort = sock.address().port;
      sock.close();
      resolve({ answer: msg.toString(), from: `${rinfo.address}:${rinfo.port}`, localPort, ...(peer ? { peerName: `${peer.address}:${peer.port}` } : {}) });
    });
    sock.on('error', (err) => { clearTimeout(timer); sock.close(); reject(err); });
    if (connected) sock.connect(port, addr, () => sock.send(text));
    else sock.send(text, port, addr);
  });
}

test('a published UDP port is redirected too: datagrams go straight to the container, answers come from the address sent to, the source is as with DNAT', async () => {
  // This busybox's nc has no -u: the echo server is the host's perl, run chrooted into the host's root mounted read-only.
  const echo = '$s=IO::Socket::INET->new(LocalPort=>5353,Proto=>"udp") or die "$!"; while($s->recv($m,1024)){ $s->send("$m from ".$s->peerhost) }';
  const id = (await ctx.d.docker(['run', '-d', '-v', '/:/host:ro', '-p', '18615:5353/udp', 'busybox', 'chroot', '/host', 'perl', '-MIO::Socket::INET', '-e', echo])).stdout.trim();
  const ip = await containerIp(id);
  assert.deepEqual(await services(), { '0.0.0.0:18615/udp': `${ip}:5353` });
  const gateway = ctx.d.subnet.split('/')[0];
  const viaLo = await eventually(() => udpAsk('127.0.0.1', 18615, 'lo'));
  assert.deepEqual([viaLo.answer, viaLo.from], [`lo from ${gateway}`, '127.0.0.1:18615']);
  // conntrack saw the flow addressed to the container itself: no NAT rewrote it.
  const flow = await run('conntrack', ['-L', '-p', 'udp', '--orig-port-src', String(viaLo.localPort)]);
  assert.match(flow.stdout, new RegExp(`dst=${ip.replace(/\./g, '\\.')} sport=${viaLo.localPort} dport=5353 `), flow.stdout + flow.stderr);

  const viaHost = await udpAsk(hostAddress(), 18615, 'host');
  assert.deepEqual([viaHost.answer, viaHost.from], [`host from ${hostAddress()}`, `${hostAddress()}:18615`]);
  const connected = await udpAsk('127.0.0.1', 18615, 'connected', true);
  assert.deepEqual([connected.answer, connected.from, connected.peerName], [`connected from ${gateway}`, '127.0.0.1:18615', '127.0.0.1:18615']);
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
  assert.deepEqual(await services(), {});
});

test('a container dialling 127.0.0.1 on a published port reaches its own loopback, not the published container', async () => {
  const published = (await ctx.d.docker(['run', '-d', '-p', '18612:80', ...WHOAMI])).stdout.trim();
  await eventually(() => whoami('http://127.0.0.1:18612'));
  const own = await ctx.d.docker(['run', '--rm', 'busybox', 'sh', '-c',
    'mkdir /o && echo own > /o/index.html && httpd -p 127.0.0.1:18612 -h /o && wget -qO- http://127.0.0.1:18612/']);
  assert.equal(own.stdout, 'own\n', own.stderr);
  assert.equal((await ctx.d.docker(['rm', '-f', published])).code, 0);
});

test('entries follow a container\'s stop and start; a restarted daemon replaces its crashed run\'s programs and re-adopts running containers; a stop leaves no program, pin or mount', async () => {
  const id = (await ctx.d.docker(['run', '-d', '-p', '18614:80', ...WHOAMI])).stdout.trim();
  assert.equal((await ctx.d.docker(['stop', '-t', '0', id])).code, 0);
  assert.deepEqual(await services(), {}, 'a stopped container has no entry');
  assert.equal((await ctx.d.docker(['start', id])).code, 0);
  const ip = await containerIp(id);
  assert.deepEqual(await services(), { '0.0.0.0:18614/tcp': `${ip}:80` }, 'its start adds it again');
  await eventually(() => whoami('http://127.0.0.1:18614'));
  await ctx.d.kill9();
  await ctx.d.restart();
  assert.deepEqual(await programs(), ALL_PROGRAMS, 'one set, the crashed run\'s detached');
  assert.deepEqual(await services(), { '0.0.0.0:18614/tcp': `${ip}:80` });
  assert.deepEqual(await dial('127.0.0.1', 18614), { peerName: '127.0.0.1:18614', kernelPeer: `${ip}:80` });

  await ctx.d.stop();
  assert.deepEqual(await programs(), []);
  const bpffs = path.join(ctx.d.execRoot, 'bpf');
  assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(` ${bpffs} `), 'the bpffs is unmounted');
  assert.ok(!existsSync(bpffs), 'its mount point is gone');
  // The container kept running; its port still answers, through DNAT now.
  assert.equal(await whoami('http://127.0.0.1:18614'), `[::ffff:${ctx.d.subnet.split('/')[0]}]`);
  assert.notEqual((await dial('127.0.0.1', 18614)).kernelPeer, `${ip}:80`);

  await ctx.d.restart();
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
  assert.deepEqual(await services(), {});
});
