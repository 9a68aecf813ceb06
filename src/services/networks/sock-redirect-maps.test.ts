import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { ipHex, localEntries, mapChanges, serviceEntries, u64Hex } from './sock-redirect-maps';

test('addresses are written in network byte order; anything but dotted IPv4 is refused', () => {
  assert.equal(ipHex('10.1.0.2'), '0a 01 00 02');
  assert.equal(ipHex('255.255.255.255'), 'ff ff ff ff');
  for (const bad of ['::1', '10.1.0.256', '10.1.0', '', '1.2.3.4 ']) assert.equal(ipHex(bad), undefined, bad);
});

test('TCP and UDP mappings become host ip:port/proto → container ip:port entries, 0.0.0.0 for any host address; SCTP stays on DNAT', () => {
  const entries = serviceEntries([{ ip: '10.1.0.2', ports: [
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    { containerPort: 443, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8443 },
    { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 5353 },
    { containerPort: 81, protocol: 'tcp', hostIp: '::', hostPort: 8081 },
    { containerPort: 82, protocol: 'sctp', hostIp: '', hostPort: 8082 },
  ] }]);
  assert.deepEqual([...entries], [
    ['00 00 00 00 1f 90 06 00', '0a 01 00 02 00 50 00 00'],
    ['7f 00 00 01 20 fb 06 00', '0a 01 00 02 01 bb 00 00'],
    ['00 00 00 00 14 e9 11 00', '0a 01 00 02 00 35 00 00'],
  ]);
});

test('the local addresses are the IPv4 ones outside 127/8', () => {
  const iface = (address: string, family: 'IPv4' | 'IPv6') => ({ address, family, netmask: '', mac: '', internal: false, cidr: null });
  const entries = localEntries({ lo: [iface('127.0.0.1', 'IPv4'), iface('::1', 'IPv6')], eth0: [iface('192.0.2.2', 'IPv4'), iface('fd00::2', 'IPv6')], br: [iface('10.1.0.1', 'IPv4')] } as unknown as ReturnType<typeof os.networkInterfaces>);
  assert.deepEqual([...entries.keys()], ['c0 00 02 02', '0a 01 00 01']);
});

test('a u64 is written in the byte order of the machine the program runs on', () => {
  assert.equal(u64Hex(3n), os.endianness() === 'LE' ? '03 00 00 00 00 00 00 00' : '00 00 00 00 00 00 00 03');
});

test('map changes update what is new or changed, then delete what is gone, and are empty when nothing changed', () => {
  const had = new Map([['k1', 'v1'], ['k2', 'v2']]);
  const want = new Map([['k1', 'v1'], ['k2', 'v9'], ['k3', 'v3']]);
  assert.deepEqual(mapChanges('/p', had, want), ['map update pinned /p key hex k2 value hex v9', 'map update pinned /p key hex k3 value hex v3']);
  assert.deepEqual(mapChanges('/p', want, new Map([['k3', 'v3']])), ['map delete pinned /p key hex k1', 'map delete pinned /p key hex k2']);
  assert.deepEqual(mapChanges('/p', had, had), []);
});
