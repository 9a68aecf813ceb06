import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortKey, portRequests, portsSummary, portsView } from './port-spec';

test('port keys carry a port and a protocol, tcp by default', () => {
  assert.deepEqual(parsePortKey('80'), { port: 80, protocol: 'tcp' });
  assert.deepEqual(parsePortKey('53/udp'), { port: 53, protocol: 'udp' });
  assert.throws(() => parsePortKey('80/icmp'), /invalid port specification/);
  assert.throws(() => parsePortKey('abc/tcp'), /invalid port specification: abc/);
  assert.throws(() => parsePortKey('70000'), /invalid port specification/);
});

test('bindings become requests; empty or 0 host ports mean any free port; ranges keep their end', () => {
  const r = portRequests({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostPort: '' }], '90/tcp': [{ HostPort: '9000-9010' }] }, {}, false);
  assert.deepEqual(r, [
    { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, hostPortEnd: 8080 },
    { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 0, hostPortEnd: 0 },
    { containerPort: 90, protocol: 'tcp', hostIp: '', hostPort: 9000, hostPortEnd: 9010 },
  ]);
});

test('bad host ports and addresses are refused', () => {
  assert.throws(() => portRequests({ '80/tcp': [{ HostPort: 'x' }] }, {}, false), /invalid hostPort: x/);
  assert.throws(() => portRequests({ '80/tcp': [{ HostPort: '9-1' }] }, {}, false), /invalid hostPort: 9-1/);
  assert.throws(() => portRequests({ '80/tcp': [{ HostIp: 'nope', HostPort: '1' }] }, {}, false), /invalid host IP address/);
});

test('-P publishes every exposed port not already bound', () => {
  const r = portRequests({ '80/tcp': [{ HostPort: '8080' }] }, { '80/tcp': {}, '443/tcp': {} }, true);
  assert.deepEqual(r.map((x) => [x.containerPort, x.hostPort]), [[80, 8080], [443, 0]]);
});

test('the ports view lists exposed ports with null and published ones with their bindings', () => {
  const view = portsView({ '443/tcp': {} }, [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }]);
  assert.deepEqual(view, { '443/tcp': null, '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  assert.deepEqual(portsSummary(view), [{ PrivatePort: 443, Type: 'tcp' }, { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]);
});
