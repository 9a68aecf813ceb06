// berthd's HTTP server: version prefixes, routing, upgrades for hijacked streams, and errors in Docker's shape.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { NotFoundError } from '../errors';
import { messageOf, statusOf } from './http-status';
import { ApiRequest } from './request';
import { sendError, sendJSON, sendSocketError } from './respond';
import type { Router } from './router';
import { splitVersion } from './version';

export type RequestLogger = (method: string, url: string, status: number | string, err?: unknown) => void;

export function createApiServer(router: Router, log: RequestLogger): http.Server {
  const server = http.createServer({ keepAliveTimeout: 60_000 });

  async function dispatch(req: IncomingMessage, res: ServerResponse | undefined, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://berth');
    let status: number | string = 200;
    try {
      const { version, path } = splitVersion(url.pathname);
      const match = router.match(req.method ?? 'GET', path.replace(/\/+$/, '') || '/');
      if (!match) throw new NotFoundError(`page not found`);
      if (match === 'method') throw new NotFoundError(`page not found`);
      const result = await match.handler(new ApiRequest(req, res, match.params, url.searchParams, version, upgrade));
      if (result && res && !res.headersSent) {
        status = result.status ?? 200;
        sendJSON(res, status, result.body);
      }
    } catch (err) {
      status = statusOf(err);
      if (status >= 500) log(req.method ?? '', req.url ?? '', status, err);
      if (res) {
        if (status === 304) sendJSON(res, 304, undefined);
        else sendError(res, status, messageOf(err));
      } else if (upgrade) {
        sendSocketError(upgrade.socket, status, messageOf(err));
      }
    } finally {
      log(req.method ?? '', req.url ?? '', status);
    }
  }

  server.on('request', (req, res) => void dispatch(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void dispatch(req, undefined, { socket, head });
  });
  server.on('clientError', (_err, socket) => {
    if (!socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}
