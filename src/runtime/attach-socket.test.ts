// Tests of the attach-socket wrapper against a SeqpacketServer speaking conmon's framing, including a 1,000-cycle stress run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeqpacketServer, type SeqpacketSocket } from 'node-unix-socket';
import { connectAttach } from './attach-socket';
import type { AttachConnection } from './index';

/** A fake conmon: greets each client with stdout/stderr/unknown packets, echoes stdin as stdout, closes on EOF or 'bye'. */
function fakeConmon(path: string): { server: SeqpacketServer; peers: Set<SeqpacketSocket> } {
  const server = new SeqpacketServer();
  const peers = new Set<SeqpacketSocket>();
  server.on('connection', (s: SeqpacketSocket) => {
    peers.add(s);
    const drop = () => { peers.delete(s); setImmediate(() => s.destroy()); };
    s.on('error', drop);
    s.on('end', drop);
    s.write(Buffer.from('\x02out'));
    s.write(Buffer.from('\x03err'));
    s.write(Buffer.from('\x09ignored'));
    s.on('data', (b: Buffer) => {
      if (b.toString() === 'bye') return drop();
      s.write(Buffer.concat([Buffer.from([2]), b]));
    });
  });
  server.listen(path);
  return { server, peers };
}

function nextData(c: AttachConnection, count: number): Promise<Array<[string, string]>> {
  return new Promise((resolve) => {
    const got: Array<[string, string]> = [];
    const on = (stream: string, chunk: Buffer) => {
      got.push([stream, chunk.toString()]);
      if (got.length === count) { c.off('data', on); resolve(got); }
    };
    c.on('data', on);
  });
}

describe('connectAttach', () => {
  let dir: string;
  let sock: string;
  let fake: ReturnType<typeof fakeConmon>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-att-'));
    sock = join(dir, 'attach');
    fake = fakeConmon(sock);
  });
  after(() => {
    fake.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('splits packets by stream byte, drops unknown streams and sends stdin', async () => {
    const c = await connectAttach(sock);
    const greet = nextData(c, 2);
    assert.deepEqual(await greet, [['stdout', 'out'], ['stderr', 'err']]);
    const echo = nextData(c, 1);
    c.write(Buffer.from('ping'));
    assert.deepEqual(await echo, [['stdout', 'ping']]);
    const closed = new Promise<void>((r) => c.on('close', r));
    c.close();
    c.close();
    await closed;
  });

  it('emits close when the peer goes away', async () => {
    const c = await connectAttach(sock);
    const closed = new Promise<void>((r) => c.on('close', r));
    c.write(Buffer.from('bye'));
    await closed;
  });

  it('rejects with NotFound-like errors for a missing socket', async () => {
    await assert.rejects(connectAttach(join(dir, 'nope')));
  });

  it('survives 1,000 connect/close cycles across close patterns', async () => {
    for (let i = 0; i < 1000; i++) {
      const c = await connectAttach(sock);
      const closed = new Promise<void>((r) => c.on('close', r));
      switch (i % 4) {
        case 0: // close from inside the data handler: the pattern that aborts the addon if not deferred
          c.on('data', () => c.close());
          break;
        case 1: // half-close stdin, then close once the peer answers
          c.on('data', () => { c.closeStdin(); c.close(); });
          break;
        case 2: // peer closes first
          c.write(Buffer.from('bye'));
          break;
        default: // immediate close, twice
          c.close();
          c.close();
      }
      await closed;
    }
    // Give the server side a moment to drop its peers, then check nothing leaked.
    for (let i = 0; i < 100 && fake.peers.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(fake.peers.size, 0);
  });
});
