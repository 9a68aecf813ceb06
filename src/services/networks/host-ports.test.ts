import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { HostPorts } from './host-ports';

const req = (hostPort: number, hostPortEnd = hostPort) => ({ containerPort: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort, hostPortEnd });

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

test('a port this daemon holds is refused to a second container, naming the port, until released', async () => {
  const ports = new HostPorts();
  const port = await freePort();
  try {
    assert.deepEqual(await ports.reserve('a', [req(port)]), [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port }]);
    await assert.rejects(ports.reserve('b', [req(port)]), new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`));
    ports.release('a');
    assert.equal((await ports.reserve('b', [req(port)]))[0].hostPort, port);
  } finally {
    ports.release('a');
    ports.release('b');
  }
});

test('a port another program listens on is refused with "address already in use"', async (t) => {
  const other = net.createServer();
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  t.after(() => other.close());
  const { port } = other.address() as net.AddressInfo;
  await assert.rejects(new HostPorts().reserve('a', [req(port)]), new RegExp(`127\\.0\\.0\\.1:${port}.*address already in use`));
});

test('port 0 picks a free port in the ephemeral range; a failed request holds nothing', async () => {
  const ports = new HostPorts();
  try {
    const [m] = await ports.reserve('a', [req(0, 0)]);
    assert.ok(m.hostPort >= 32768 && m.hostPort <= 60999);
    await assert.rejects(ports.reserve('b', [req(0, 0), req(m.hostPort)]), /already allocated/);
    const again = await ports.reserve('c', [{ ...req(0, 0), hostPort: 0 }]);
    assert.notEqual(again[0].hostPort, m.hostPort);
  } finally {
    for (const o of ['a', 'b', 'c']) ports.release(o);
  }
});
