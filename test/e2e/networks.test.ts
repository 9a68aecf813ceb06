// Bridge networking through the real docker CLI: published ports, user networks with names, isolation, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { useDaemon } from './harness';
import { eventually, hostAddress, hostGateway, httpGet } from './net-helpers';

const ctx = useDaemon();

function htdocs(text: string): string {
  const dir = mkdtempSync('/tmp/berth-e2e-htdocs-');
  writeFileSync(path.join(dir, 'index.html'), text);
  return dir;
}

test('busybox httpd serves a bind-mounted folder through a published port on 127.0.0.1, the host address and to other containers', async (t) => {
  const dir = htdocs('hello through a published port\n');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = await ctx.d.docker(['run', '-d', '--name', 'web', '-p', '18480:80', '-v', `${dir}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']);
  assert.equal(run.code, 0, run.stderr);
  const local = await eventually(() => httpGet('http://127.0.0.1:18480/'));
  assert.equal(local.body, 'hello through a published port\n');
  assert.equal((await httpGet(`http://${hostAddress()}:18480/`)).body, 'hello through a published port\n');

  const peer = await ctx.d.docker(['run', '--rm', 'busybox', 'wget', '-qO-', `http://${hostAddress()}:18480/`]);
  assert.equal(peer.stdout, 'hello through a published port\n', peer.stderr);

  assert.equal((await ctx.d.docker(['port', 'web'])).stdout, '80/tcp -> 0.0.0.0:18480\n');
  assert.equal((await ctx.d.docker(['port', 'web', '80'])).stdout, '0.0.0.0:18480\n');
  assert.equal((await ctx.d.docker(['ps', '--filter', 'name=web', '--format', '{{.Ports}}'])).stdout.trim(), '0.0.0.0:18480->80/tcp');
  const ports = JSON.parse((await ctx.d.docker(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'web'])).stdout);
  assert.deepEqual(ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '18480' }] });
  const ip = (await ctx.d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'web'])).stdout.trim();
  assert.ok(ip.startsWith(ctx.d.subnet.split('.').slice(0, 3).join('.') + '.'), `${ip} is on the daemon's --bip subnet ${ctx.d.subnet}`);

  const taken = await ctx.d.docker(['run', '-d', '--name', 'web2', '-p', '18480:80', 'busybox', 'httpd', '-f']);
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /0\.0\.0\.0:18480/);
  assert.match(taken.stderr, /already allocated/);
  assert.equal((await ctx.d.docker(['inspect', '-f', '{{.State.Running}}', 'web2'])).stdout.trim(), 'false');
  assert.equal((await ctx.d.docker(['rm', '-f', 'web', 'web2'])).code, 0);
});

test('a container on the default bridge reaches beyond the host through outbound NAT', { skip: !hostGateway() && 'the host has no default route' }, async () => {
  const out = await ctx.d.docker(['run', '--rm', 'busybox', 'ping', '-c', '1', '-W', '3', hostGateway()!]);
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /1 packets received/);
});

test('-p with only the container port gets a free host port that docker port reports', async () => {
  const id = (await ctx.d.docker(['run', '-d', '-p', '80', 'busybox', 'sh', '-c', 'echo random > /i.html; httpd -f -p 80 -h /'])).stdout.trim();
  const mapping = (await ctx.d.docker(['port', id, '80/tcp'])).stdout.trim();
  const port = Number(mapping.split(':')[1]);
  assert.ok(port >= 32768 && port <= 60999, mapping);
  assert.equal((await eventually(() => httpGet(`http://127.0.0.1:${port}/i.html`))).body, 'random\n');
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);

  const all = (await ctx.d.docker(['run', '-d', '--expose', '81', '--expose', '82/udp', '-P', 'busybox', 'sleep', '600'])).stdout.trim();
  const lines = (await ctx.d.docker(['port', all])).stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(' -> ')[0]), ['81/tcp', '82/udp'], '-P publishes every exposed port');
  assert.ok(lines.every((l) => /-> 0\.0\.0\.0:\d{5}$/.test(l)), lines.join('\n'));
  assert.equal((await ctx.d.docker(['rm', '-f', all])).code, 0);
});

test('UDP ports publish too: a datagram through the host port is echoed back by the container', async () => {
  // This busybox's nc has no -u: the echo server is the host's perl, run chrooted into the host's root mounted read-only.
  const echo = '$s=IO::Socket::INET->new(LocalPort=>5353,Proto=>"udp") or die "$!"; while($s->recv($m,1024)){ $s->send("echo:$m") }';
  const id = (await ctx.d.docker(['run', '-d', '-v', '/:/host:ro', '-p', '127.0.0.1:18453:5353/udp', 'busybox', 'chroot', '/host', 'perl', '-MIO::Socket::INET', '-e', echo])).stdout.trim();
  assert.equal((await ctx.d.docker(['port', id])).stdout, '5353/udp -> 127.0.0.1:18453\n');
  assert.equal(await eventually(() => udpRoundTrip('127.0.0.1', 18453, 'over-udp')), 'echo:over-udp');
  // A sender keeping its source port reaches the next container on that host port, not the removed one's flow.
  assert.equal(await eventually(() => udpRoundTrip('127.0.0.1', 18453, 'kept-port', 18454)), 'echo:kept-port');
  assert.equal((await ctx.d.docker(['rm', '-f', id])).code, 0);
  const next = await ctx.d.docker(['run', '-d', '-v', '/:/host:ro', '-p', '127.0.0.1:18453:5353/udp', 'busybox', 'chroot', '/host', 'perl', '-MIO::Socket::INET', '-e', echo.replace('echo:', 'next:')]);
  assert.equal(next.code, 0, next.stderr);
  assert.equal(await eventually(() => udpRoundTrip('127.0.0.1', 18453, 'kept-port', 18454)), 'next:kept-port');
  assert.equal((await ctx.d.docker(['rm', '-f', next.stdout.trim()])).code, 0);
});

/** Send one datagram (from `fromPort` when given) and wait briefly for the answer. */
function udpRoundTrip(host: string, port: number, text: string, fromPort?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    if (fromPort) sock.bind(fromPort);
    const timer = setTimeout(() => { sock.close(); reject(new Error('no UDP answer')); }, 500);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg.toString());
    });
    sock.send(text, port, host);
  });
}

test('containers on one user network reach each other by name and by alias; other networks cannot reach them', async () => {
  assert.equal((await ctx.d.docker(['network', 'create', 'front'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'create', 'back'])).code, 0);
  const srv = await ctx.d.docker(['run', '-d', '--name', 'api', '--network', 'front', '--network-alias', 'service', 'busybox', 'sh', '-c', 'echo api-here > /i.html; httpd -f -p 80 -h /']);
  assert.equal(srv.code, 0, srv.stderr);
  const byName = await ctx.d.docker(['run', '--rm', '--network', 'front', 'busybox', 'sh', '-c', 'for i in $(seq 50); do wget -qO- http://api/i.html && exit 0; sleep 0.1; done; exit 1']);
  assert.equal(byName.stdout, 'api-here\n', byName.stderr);
  const byAlias = await ctx.d.docker(['run', '--rm', '--network', 'front', 'busybox', 'wget', '-qO-', 'http://service/i.html']);
  assert.equal(byAlias.stdout, 'api-here\n', byAlias.stderr);

  const apiIp = (await ctx.d.docker(['inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'api'])).stdout.trim();
  const other = await ctx.d.docker(['run', '--rm', '--network', 'back', 'busybox', 'sh', '-c', `wget -T 2 -qO- http://${apiIp}/i.html; echo rc=$?; nslookup api >/dev/null 2>&1; echo dns=$?`]);
  assert.match(other.stdout, /rc=[1-9]/, 'another network cannot reach the container');
  assert.match(other.stdout, /dns=[1-9]/, "another network does not resolve the container's name");
  const dflt = await ctx.d.docker(['run', '--rm', 'busybox', 'sh', '-c', `wget -T 2 -qO- http://${apiIp}/i.html; echo rc=$?`]);
  assert.match(dflt.stdout, /rc=[1-9]/, 'the default bridge cannot reach a user network');

  const rm = await ctx.d.docker(['network', 'rm', 'front']);
  assert.equal(rm.code, 1);
  assert.match(rm.stderr, /error while removing network: network front id [0-9a-f]{64} has active endpoints/);
  assert.equal((await ctx.d.docker(['rm', '-f', 'api'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'rm', 'front', 'back'])).code, 0);
});

test('an --internal network keeps its containers in: names resolve inside, nothing outside is reachable', async () => {
  assert.equal((await ctx.d.docker(['network', 'create', '--internal', 'vault'])).code, 0);
  assert.equal(JSON.parse((await ctx.d.docker(['network', 'inspect', '-f', '{{json .Internal}}', 'vault'])).stdout), true);
  assert.equal((await ctx.d.docker(['run', '-d', '--name', 'safe', '--network', 'vault', 'busybox', 'sleep', '600'])).code, 0);
  const inside = await ctx.d.docker(['run', '--rm', '--network', 'vault', 'busybox', 'sh', '-c',
    `ping -c1 -W2 safe >/dev/null; echo peer=$?; ping -c1 -W2 ${hostAddress()} >/dev/null 2>&1; echo out=$?`]);
  assert.match(inside.stdout, /peer=0/, inside.stderr);
  assert.match(inside.stdout, /out=[1-9]/);
  assert.equal((await ctx.d.docker(['rm', '-f', 'safe'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'rm', 'vault'])).code, 0);
});

test('a running container connects to and disconnects from a network, with an alias and a fixed address', async () => {
  const net = await ctx.d.docker(['network', 'create', '--subnet', '10.231.7.0/24', '--gateway', '10.231.7.254', '--label', 'team=a', 'side']);
  assert.equal(net.code, 0, net.stderr);
  const inspect = JSON.parse((await ctx.d.docker(['network', 'inspect', 'side'])).stdout)[0];
  assert.deepEqual(inspect.IPAM.Config, [{ Subnet: '10.231.7.0/24', Gateway: '10.231.7.254' }]);
  assert.deepEqual(inspect.Labels, { team: 'a' });
  assert.equal((await ctx.d.docker(['run', '-d', '--name', 'late', 'busybox', 'sleep', '600'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'connect', '--alias', 'joiner', '--ip', '10.231.7.9', 'side', 'late'])).code, 0);
  assert.match((await ctx.d.docker(['exec', 'late', 'ip', '-o', 'addr'])).stdout, /inet 10\.231\.7\.9\/24/);
  const ping = await ctx.d.docker(['run', '--rm', '--network', 'side', 'busybox', 'ping', '-c', '1', '-W', '2', 'joiner']);
  assert.match(ping.stdout, /10\.231\.7\.9/, ping.stderr);
  const containers = JSON.parse((await ctx.d.docker(['network', 'inspect', '-f', '{{json .Containers}}', 'side'])).stdout);
  assert.equal(Object.values(containers).length, 1);
  // Connected before it starts: it comes up on both networks and resolves names through the user network.
  assert.equal((await ctx.d.docker(['create', '--name', 'dual', 'busybox', 'sleep', '600'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'connect', 'side', 'dual'])).code, 0);
  assert.equal((await ctx.d.docker(['start', 'dual'])).code, 0);
  const dual = await ctx.d.docker(['exec', 'dual', 'ping', '-c', '1', '-W', '2', 'joiner']);
  assert.match(dual.stdout, /10\.231\.7\.9/, dual.stderr);
  assert.equal((await ctx.d.docker(['rm', '-f', 'dual'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'disconnect', 'side', 'late'])).code, 0);
  assert.doesNotMatch((await ctx.d.docker(['exec', 'late', 'ip', '-o', 'addr'])).stdout, /10\.231\.7\./);
  assert.equal((await ctx.d.docker(['rm', '-f', 'late'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'rm', 'side'])).code, 0);
});

test('--add-host (host-gateway too), --dns, --dns-search, --dns-option, --hostname, --mac-address and --network container:', async () => {
  const out = await ctx.d.docker(['run', '--rm', '--add-host', 'db.local:10.9.8.7', '--add-host', 'gw:host-gateway', '--dns', '10.0.0.53', '--dns-search', 'corp.test',
    '--dns-option', 'ndots:3', '--hostname', 'boxy', '--mac-address', '02:42:0a:0b:0c:0d', 'busybox', 'sh', '-c', 'cat /etc/hosts /etc/resolv.conf; hostname; ip link show eth0']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /10\.9\.8\.7\tdb\.local/);
  assert.match(out.stdout, new RegExp(`${ctx.d.subnet.split('/')[0].replace(/\./g, '\\.')}\\tgw`));
  assert.match(out.stdout, /nameserver 10\.0\.0\.53/);
  assert.match(out.stdout, /search corp\.test/);
  assert.match(out.stdout, /options ndots:3/);
  assert.match(out.stdout, /\nboxy\n/);
  assert.match(out.stdout, /02:42:0a:0b:0c:0d/);

  assert.equal((await ctx.d.docker(['run', '-d', '--name', 'owner', 'busybox', 'sleep', '600'])).code, 0);
  const ownerIp = (await ctx.d.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'owner'])).stdout.trim();
  const shared = await ctx.d.docker(['run', '--rm', '--network', 'container:owner', 'busybox', 'ip', '-o', 'addr']);
  assert.match(shared.stdout, new RegExp(`inet ${ownerIp.replace(/\./g, '\\.')}/`));
  assert.equal((await ctx.d.docker(['rm', '-f', 'owner'])).code, 0);
});

test('bad network input is answered clearly', async () => {
  assert.equal((await ctx.d.docker(['network', 'create', '--subnet', '10.232.0.0/16', 'one'])).code, 0);
  await assert.rejects(ctx.d.client.request('POST', '/networks/create', { body: { Name: 'two', IPAM: { Config: [{ Subnet: '10.232.5.0/24' }] } } }),
    (err: { statusCode?: number; message: string }) => err.statusCode === 409 && /Pool overlaps/.test(err.message));
  const dup = await ctx.d.docker(['network', 'create', 'one']);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /network with name one already exists/);
  const badCidr = await ctx.d.docker(['network', 'create', '--subnet', '10.233.0.1/16', 'three']);
  assert.match(badCidr.stderr, /invalid subnet/);
  const missing = await ctx.d.docker(['run', '--rm', '--network', 'nope', 'busybox', 'true']);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /network nope not found/);
  const ipOnDefault = await ctx.d.docker(['run', '--rm', '--ip', '10.1.1.1', 'busybox', 'true']);
  assert.match(ipOnDefault.stderr, /user specified IP address is supported on user defined networks only/);

  for (const bindings of [{ 'abc/tcp': [{ HostPort: '80' }] }, { '80/tcp': [{ HostPort: 'x' }] }, { '80/icmp': [{}] }]) {
    await assert.rejects(ctx.d.client.request('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { PortBindings: bindings } } }),
      (err: { statusCode?: number }) => err.statusCode === 400, JSON.stringify(bindings));
  }
  for (const hc of [{ ExtraHosts: ['evil:1.2.3.4\nnameserver 6.6.6.6'] }, { Dns: ['not-an-ip'] }, { DnsSearch: ['a\nb'] }]) {
    await assert.rejects(ctx.d.client.request('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: hc } }),
      (err: { statusCode?: number }) => err.statusCode === 400, JSON.stringify(hc));
  }
  const cli = await ctx.d.berth(['run', '--rm', '-p', '80:abc', 'busybox', 'true']);
  assert.equal(cli.code, 125);
  assert.match(cli.stderr, /invalid containerPort: abc/);
  assert.equal((await ctx.d.docker(['network', 'rm', 'one'])).code, 0);
});

test('network events: create, connect, disconnect, destroy', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  assert.equal((await ctx.d.docker(['network', 'create', 'evnet'])).code, 0);
  assert.equal((await ctx.d.docker(['run', '--rm', '--network', 'evnet', 'busybox', 'true'])).code, 0);
  assert.equal((await ctx.d.docker(['network', 'rm', 'evnet'])).code, 0);
  const ev = await ctx.d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=network', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  const lines = ev.stdout.trim().split('\n').filter((l) => l.endsWith(' evnet'));
  assert.deepEqual(lines, ['create evnet', 'connect evnet', 'disconnect evnet', 'destroy evnet']);
});

test('berth network and port commands print docker\'s shapes', async () => {
  assert.equal((await ctx.d.berth(['network', 'create', '--subnet', '10.234.0.0/24', 'bn'])).code, 0);
  const ls = await ctx.d.berth(['network', 'ls']);
  assert.match(ls.stdout, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n/);
  assert.match(ls.stdout, /[0-9a-f]{12}\s+bn\s+bridge\s+local/);
  assert.match(ls.stdout, /\s+host\s+host\s+local/);
  assert.equal((await ctx.d.berth(['network', 'inspect', '-f', '{{.Name}} {{.Driver}}', 'bn'])).stdout, 'bn bridge\n');
  assert.equal((await ctx.d.berth(['run', '-d', '--name', 'bp', '--network', 'bn', '-p', '127.0.0.1:18490:80', 'busybox', 'sleep', '600'])).code, 0);
  assert.equal((await ctx.d.berth(['port', 'bp'])).stdout, '80/tcp -> 127.0.0.1:18490\n');
  assert.match((await ctx.d.berth(['ps', '--format', '{{.Ports}}'])).stdout, /127\.0\.0\.1:18490->80\/tcp/);
  assert.equal((await ctx.d.docker(['ps', '--filter', 'network=bn', '--filter', 'publish=80/tcp', '--format', '{{.Names}}'])).stdout, 'bp\n');
  assert.equal((await ctx.d.docker(['ps', '--filter', 'publish=81', '--format', '{{.Names}}'])).stdout, '');
  const notPublished = await ctx.d.berth(['port', 'bp', '81']);
  assert.match(notPublished.stderr, /No public port '81\/tcp' published for bp/);
  assert.equal((await ctx.d.berth(['rm', '-f', 'bp'])).code, 0);
  assert.equal((await ctx.d.berth(['network', 'prune', '-f'])).stdout, 'Deleted Networks:\nbn\n\n');
});

test('network prune removes user networks with no running container, honouring until, label and label!', async () => {
  const ok = async (args: string[]) => {
    const r = await ctx.d.docker(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await ok(['network', 'create', 'p-old']);
  const oldCreated = (await ok(['network', 'inspect', '-f', '{{.Created}}', 'p-old'])).trim();
  await ok(['network', 'create', 'p-stopped']);
  await ok(['network', 'create', 'p-running']);
  await ok(['network', 'create', '--label', 'keep', 'p-labeled']);
  await ok(['run', '--name', 'p-exited', '--network', 'p-stopped', 'busybox', 'true']);
  await ok(['run', '-d', '--name', 'p-up', '--network', 'p-running', 'busybox', 'sleep', '600']);

  assert.equal(await ok(['network', 'prune', '-f', '--filter', `until=${oldCreated}`]), 'Deleted Networks:\np-old\n\n', 'only what was created by then');
  assert.equal(await ok(['network', 'prune', '-f', '--filter', 'label!=keep']), 'Deleted Networks:\np-stopped\n\n', 'a stopped container does not keep its network');
  const left = (await ok(['network', 'ls', '--format', '{{.Name}}'])).split('\n').filter((n) => n.startsWith('p-'));
  assert.deepEqual(left.sort(), ['p-labeled', 'p-running']);
  const start = await ctx.d.docker(['start', 'p-exited']);
  assert.notEqual(start.code, 0);
  assert.match(start.stderr, /network p-stopped not found/);

  const bad = await ctx.d.docker(['network', 'prune', '-f', '--filter', 'until=someday']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /until=someday/);
  assert.match((await ctx.d.docker(['network', 'prune', '-f', '--filter', 'dangling=true'])).stderr, /invalid filter 'dangling'/);
  await ok(['rm', '-f', 'p-exited', 'p-up']);
  assert.equal(await ok(['network', 'prune', '-f', '--filter', 'label=keep']), 'Deleted Networks:\np-labeled\n\n');
  await ok(['network', 'rm', 'p-running']);
});
