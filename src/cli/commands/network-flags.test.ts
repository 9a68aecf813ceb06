import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkingConfig, parsePublish } from './network-flags';

const b = (key: string, HostIp: string, HostPort: string) => ({ key, binding: { HostIp, HostPort } });

test('-p forms: container port only, host:container, ip:host:container, protocols', () => {
  assert.deepEqual(parsePublish('80'), [b('80/tcp', '', '')]);
  assert.deepEqual(parsePublish('8080:80'), [b('80/tcp', '', '8080')]);
  assert.deepEqual(parsePublish('127.0.0.1:8080:80/udp'), [b('80/udp', '127.0.0.1', '8080')]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [b('80/tcp', '127.0.0.1', '')]);
  assert.deepEqual(parsePublish('[::1]:8080:80'), [b('80/tcp', '::1', '8080')]);
});

test('-p ranges pair up port by port, or give the daemon a host range for one port', () => {
  assert.deepEqual(parsePublish('8000-8001:80-81'), [b('80/tcp', '', '8000'), b('81/tcp', '', '8001')]);
  assert.deepEqual(parsePublish('8000-8010:80'), [b('80/tcp', '', '8000-8010')]);
  assert.deepEqual(parsePublish('80-81'), [b('80/tcp', '', ''), b('81/tcp', '', '')]);
});

test('-p refuses what docker refuses', () => {
  assert.throws(() => parsePublish('abc'), /invalid containerPort: abc/);
  assert.throws(() => parsePublish('8080:80/icmp'), /invalid proto: icmp/);
  assert.throws(() => parsePublish('8000-8002:80-81'), /invalid ranges/);
  assert.throws(() => parsePublish('70000:80'), /invalid hostPort: 70000/);
  assert.throws(() => parsePublish('nope:1:80'), /invalid IP address/);
});

test('--ip, --network-alias and --mac-address go to the chosen network; dns flags to HostConfig', () => {
  const hc: Record<string, unknown> = {};
  const nc = networkingConfig({ network: 'n1', ip: '10.1.0.5', networkAlias: ['db'], macAddress: '02:42:ac:11:00:02', dnsSearch: ['x.test'], dnsOption: ['ndots:2'] }, hc);
  assert.deepEqual(nc, { EndpointsConfig: { n1: { IPAMConfig: { IPv4Address: '10.1.0.5' }, Aliases: ['db'], MacAddress: '02:42:ac:11:00:02' } } });
  assert.deepEqual(hc, { DnsSearch: ['x.test'], DnsOptions: ['ndots:2'] });
  assert.deepEqual(networkingConfig({}, {}), { EndpointsConfig: {} });
});
