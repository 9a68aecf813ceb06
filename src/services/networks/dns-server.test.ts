import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import * as packet from 'dns-packet';
import { EmbeddedDns } from './dns-server';

function query(server: string, name: string, type: 'A' | 'AAAA' = 'A'): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('no answer')); }, 6000);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(packet.decode(m)); });
    s.send(packet.encode({ type: 'query', id: 42, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] }), 53, server);
  });
}

test('the embedded DNS answers known names itself and forwards the others upstream', async (t) => {
  // An upstream resolver of our own on another loopback address.
  const upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    const q = packet.decode(m);
    upstream.send(packet.encode({ id: q.id, type: 'response', questions: q.questions, answers: [{ type: 'A', name: q.questions![0].name, data: '192.0.2.99' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => upstream.bind(53, '127.0.0.78', r));
  const seen: Array<[string, string]> = [];
  const dns = new EmbeddedDns((client, name) => {
    seen.push([client, name]);
    return { addresses: name === 'web' ? ['10.0.0.5'] : [], upstreams: ['127.0.0.78'] };
  }, () => undefined);
  await dns.listen('127.0.0.77');
  t.after(() => { dns.closeAll(); upstream.close(); });

  const known = await query('127.0.0.77', 'WEB');
  assert.equal(known.id, 42);
  assert.deepEqual(known.answers?.map((a) => (a as { data: string }).data), ['10.0.0.5']);
  const noV6 = await query('127.0.0.77', 'web', 'AAAA');
  assert.deepEqual(noV6.answers, [], 'a known name without IPv6 gets an empty answer, not a forward');
  const forwarded = await query('127.0.0.77', 'example.org');
  assert.deepEqual(forwarded.answers?.map((a) => (a as { data: string }).data), ['192.0.2.99']);
  assert.deepEqual(seen.map(([, n]) => n), ['web', 'web', 'example.org'], 'names are matched case-insensitively');
  assert.equal(seen[0][0], '127.0.0.1');
});
