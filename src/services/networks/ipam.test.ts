import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHostAddress, defaultGateway, formatCidr, overlaps, parseCidr, pickSubnet } from './ipam';

test('parseCidr reads a subnet and refuses host bits unless allowed', () => {
  assert.equal(formatCidr(parseCidr('10.1.0.0/16')), '10.1.0.0/16');
  assert.throws(() => parseCidr('10.1.0.1/16'), /should be 10.1.0.0\/16/);
  const bip = parseCidr('10.1.2.1/24', true);
  assert.equal(formatCidr(bip), '10.1.2.0/24');
  assert.throws(() => parseCidr('10.1.0.0/33'), /invalid CIDR/);
  assert.throws(() => parseCidr('300.1.0.0/8'), /invalid IP/);
});

test('overlapping subnets are detected whichever is larger', () => {
  assert.ok(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.5.0.0/16')));
  assert.ok(overlaps(parseCidr('10.5.0.0/16'), parseCidr('10.0.0.0/8')));
  assert.ok(!overlaps(parseCidr('10.5.0.0/16'), parseCidr('10.6.0.0/16')));
});

test('gateway defaults to the first address and must be a host inside the subnet', () => {
  const s = parseCidr('192.168.7.0/24');
  assert.equal(defaultGateway(s), '192.168.7.1');
  checkHostAddress(s, '192.168.7.254', 'gateway');
  assert.throws(() => checkHostAddress(s, '192.168.8.1', 'gateway'), /not a usable address/);
  assert.throws(() => checkHostAddress(s, '192.168.7.255', 'gateway'), /not a usable address/);
});

test('pickSubnet skips every pool that clashes with a taken route', () => {
  const taken = [parseCidr('172.17.0.0/16'), parseCidr('172.18.5.0/24')];
  assert.equal(formatCidr(pickSubnet(taken)), '172.19.0.0/16');
  assert.throws(() => pickSubnet([parseCidr('0.0.0.0/0')]), /non-overlapping/);
});
