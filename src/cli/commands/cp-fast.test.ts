import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { EngineClient } from '../../client/engine-client';
import { fastCopyOffered, firstLine, tarBytes } from './cp-fast';

describe('berth cp fast path: when it is tried', () => {
  let dir = '';
  let advertise = true;
  let server: http.Server;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'berth-cp-fast-'));
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'Api-Version': '1.45', ...(advertise ? { 'X-Berth-Fastcopy': '1' } : {}) }).end('OK');
    });
    await new Promise<void>((r) => server.listen(path.join(dir, 'd.sock'), r));
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = () => new EngineClient({ host: `unix://${path.join(dir, 'd.sock')}` });

  it('only against a daemon that advertises it on /_ping (a dockerd does not), on a Unix socket, unless BERTH_CP_NO_FASTCOPY=1', async () => {
    advertise = true;
    assert.equal(await fastCopyOffered(client()), true);
    process.env.BERTH_CP_NO_FASTCOPY = '1';
    try {
      assert.equal(await fastCopyOffered(client()), false);
    } finally {
      delete process.env.BERTH_CP_NO_FASTCOPY;
    }
    advertise = false;
    assert.equal(await fastCopyOffered(client()), false);
    assert.equal(await fastCopyOffered(new EngineClient({ host: 'tcp://127.0.0.1:1' })), false);
  });

  it('counts the bytes of the one-entry tar it stands for, as docker\'s "Successfully copied" does', () => {
    assert.equal(tarBytes(0), 1536);
    assert.equal(tarBytes(4), 2048);
    assert.equal(tarBytes(512), 2048);
    assert.equal(tarBytes(513), 2560);
  });

  it('reads the first line of a body and leaves the body open', async () => {
    const body = new PassThrough();
    body.write('{"a":1}\n{"b"');
    assert.equal(await firstLine(body), '{"a":1}');
    assert.equal(body.destroyed, false);
    body.end();
  });
});
