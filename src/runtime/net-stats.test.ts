import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetDev } from './net-stats';

const SAMPLE = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     120       2    0    0    0     0          0         0      120       2    0    0    0     0       0          0
  eth0:    9182      71    1    2    0     0          0         0     1406      17    3    4    0     0       0          0
`;

test('net/dev becomes Docker\'s networks object without loopback', () => {
  assert.deepEqual(parseNetDev(SAMPLE), {
    eth0: { rx_bytes: 9182, rx_packets: 71, rx_errors: 1, rx_dropped: 2, tx_bytes: 1406, tx_packets: 17, tx_errors: 3, tx_dropped: 4 },
  });
  assert.deepEqual(parseNetDev(''), {});
  assert.deepEqual(parseNetDev('h\nh\n  eth0: 1 2 x\n'), {});
});
