// EngineClient against a fake daemon on a Unix socket: negotiation, errors, hijack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { EngineClient, readAll } from './engine-client';
import { ApiError, DaemonUnreachableError } from './errors';
import { demuxBuffer, frame } from './stdcopy';

async function fakeDaemon(apiVersion: string | undefined): Promise<{ socket: string; paths: string[]; close: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-client-'));
  const socket = path.join(dir, 'd.sock');
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    if (req.url === '/_ping') {
      if (apiVersion) res.setHeader('API-Version', apiVersion);
      res.end('OK');
    } else if (req.url?.endsWith('/containers/nope/json')) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ message: 'No such container: nope' }));
    } else {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    }
  });
  server.on('upgrade', (req, sock) => {
    paths.push(`UPGRADE ${req.url}`);
    sock.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    sock.write(frame(1, 'hello '));
    sock.on('data', (d: Buffer) => sock.write(frame(2, d)));
    sock.on('end', () => sock.end(frame(1, 'bye')));
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return { socket, paths, close: () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => { fs.rmSync(dir, { recursive: true, force: true }); r(); });
  }) };
}

test('negotiates min(1.45, daemon) and prefixes paths', async () => {
  const d = await fakeDaemon('1.41');
  const c = new EngineClient({ host: `unix://${d.socket}` });
  assert.deepEqual(await c.json('GET', '/info'), { ok: true });
  assert.equal(await c.apiVersion(), '1.41');
  assert.deepEqual(d.paths, ['GET /_ping', 'GET /v1.41/info']);
  c.close(); await d.close();
});

test('a newer daemon is spoken to at 1.45; no header means 1.24', async () => {
  const d = await fakeDaemon('1.47');
  const c = new EngineClient({ host: `unix://${d.socket}` });
  assert.equal(await c.apiVersion(), '1.45');
  c.close(); await d.close();
  const d2 = await fakeDaemon(undefined);
  const c2 = new EngineClient({ host: `unix://${d2.socket}` });
  assert.equal(await c2.apiVersion(), '1.24');
  c2.close(); await d2.close();
});

test('daemon errors become ApiError with status and message', async () => {
  const d = await fakeDaemon('1.45');
  const c = new EngineClient({ host: `unix://${d.socket}` });
  await assert.rejects(c.json('GET', '/containers/nope/json'), (err: unknown) =>
    err instanceof ApiError && err.statusCode === 404 && err.daemonMessage === 'No such container: nope');
  c.close(); await d.close();
});

test('hijack gives a duplex stream and supports half-close', async () => {
  const d = await fakeDaemon('1.45');
  const c = new EngineClient({ host: `unix://${d.socket}` });
  const conn = await c.hijack('POST', '/containers/x/attach', { query: { stream: '1', stdin: '1' } });
  assert.equal(conn.statusCode, 101);
  conn.socket.end('ping');
  const { stdout, stderr } = demuxBuffer(await readAll(conn.socket));
  assert.equal(stdout.toString(), 'hello bye');
  assert.equal(stderr.toString(), 'ping');
  assert.ok(d.paths.includes('UPGRADE /v1.45/containers/x/attach?stream=1&stdin=1'));
  c.close(); await d.close();
});

test('a missing socket is DaemonUnreachableError', async () => {
  const c = new EngineClient({ host: 'unix:///nonexistent/berth.sock' });
  await assert.rejects(c.json('GET', '/info'), DaemonUnreachableError);
});
