import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpCheck, tcpCheck } from '../../../src/health/index.js';
import { freePort } from '../../fixtures/apps/ports.js';

const servers: Array<Server | HttpServer> = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function track(socket: Socket): void {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => undefined);
  // Read (and drop) what arrives, so the server sees the client's FIN and closes its side.
  socket.resume();
}

async function portOf(server: Server | HttpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** An HTTP server answering every request with `status` and `body`; counts open connections. */
async function httpServer(status: number, body: string): Promise<{ port: number; open: () => number }> {
  let open = 0;
  const server = createHttpServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  server.on('connection', (socket) => {
    track(socket);
    open++;
    socket.on('close', () => open--);
  });
  return { port: await portOf(server), open: () => open };
}

/** A TCP server that accepts and then does what `onConnection` says (or nothing at all). */
async function tcpServer(onConnection: (socket: Socket) => void = () => undefined): Promise<number> {
  return portOf(
    createServer((socket) => {
      track(socket);
      onConnection(socket);
    }),
  );
}

const ok200 = { min: 200, max: 299 };

describe('httpCheck', () => {
  it('passes on a status in range and a body that contains the substring, leaving no connection open', async () => {
    const server = await httpServer(200, 'version 3 ready');
    const result = await httpCheck({ url: `http://127.0.0.1:${server.port}/health`, status: ok200, body: 'ready', timeoutMs: 2000 });
    expect(result.ok).toBe(true);
    expect(result.detail).toContain('HTTP 200');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect((await httpCheck({ url: `http://127.0.0.1:${server.port}/`, status: ok200, timeoutMs: 2000 })).ok).toBe(true);
    await expect.poll(() => server.open(), { timeout: 2000 }).toBe(0);
  });

  it('fails on a status outside the range', async () => {
    const server = await httpServer(503, 'starting');
    const result = await httpCheck({ url: `http://127.0.0.1:${server.port}/`, status: ok200, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, detail: 'HTTP 503, expected 200-299' });
  });

  it('fails when the body lacks the substring, saying what it got', async () => {
    const server = await httpServer(200, 'version 2');
    const result = await httpCheck({ url: `http://127.0.0.1:${server.port}/`, status: ok200, body: 'version 3', timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('"version 3"');
    expect(result.detail).toContain('"version 2"');
  });

  it('fails on a refused connection', async () => {
    const port = await freePort();
    const result = await httpCheck({ url: `http://127.0.0.1:${port}/`, status: ok200, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, detail: `connection refused by 127.0.0.1:${port}` });
  });

  it('fails on a server that accepts and never answers, within the timeout', async () => {
    const port = await tcpServer();
    const result = await httpCheck({ url: `http://127.0.0.1:${port}/`, status: ok200, timeoutMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('within 300 ms');
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(2000);
    // The check's own socket is closed: the server sees its connection end.
    await expect.poll(() => sockets.size, { timeout: 2000 }).toBe(0);
  });

  it('fails on a connection reset', async () => {
    const port = await tcpServer((socket) => socket.resetAndDestroy());
    const result = await httpCheck({ url: `http://127.0.0.1:${port}/`, status: ok200, timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/reset|hang up/);
  });

  it('fails on an invalid URL and never reveals URL credentials', async () => {
    expect((await httpCheck({ url: 'not a url', status: ok200, timeoutMs: 100 })).ok).toBe(false);
    expect((await httpCheck({ url: 'ftp://127.0.0.1/', status: ok200, timeoutMs: 100 })).detail).toContain('unsupported');
    const server = await httpServer(401, 'no');
    const result = await httpCheck({ url: `http://admin:hunter22@127.0.0.1:${server.port}/`, status: ok200, timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    expect(result.detail).not.toContain('hunter22');
  });
});

describe('tcpCheck', () => {
  it('passes on connect, and on a matching answer after sending', async () => {
    const port = await tcpServer((socket) => socket.on('data', (d) => String(d).includes('PING') && socket.write('+PONG\r\n')));
    expect((await tcpCheck({ host: '127.0.0.1', port, timeoutMs: 2000 })).ok).toBe(true);
    const result = await tcpCheck({ host: '127.0.0.1', port, send: 'PING\r\n', expect: 'PONG', timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: true });
    await expect.poll(() => sockets.size, { timeout: 2000 }).toBe(0);
  });

  it('fails on a refused connection', async () => {
    const port = await freePort();
    const result = await tcpCheck({ host: '127.0.0.1', port, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, detail: `connection refused by 127.0.0.1:${port}` });
  });

  it('fails when the answer does not match', async () => {
    const port = await tcpServer((socket) => socket.end('-ERR not ready\r\n'));
    const result = await tcpCheck({ host: '127.0.0.1', port, expect: 'PONG', timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('"PONG"');
    expect(result.detail).toContain('-ERR not ready');
  });

  it('fails when the expected answer never comes, within the timeout', async () => {
    const port = await tcpServer();
    const result = await tcpCheck({ host: '127.0.0.1', port, send: 'PING\r\n', expect: 'PONG', timeoutMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('within 300 ms');
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    await expect.poll(() => sockets.size, { timeout: 2000 }).toBe(0);
  });

  it('fails on a connection reset', async () => {
    const port = await tcpServer((socket) => socket.resetAndDestroy());
    const result = await tcpCheck({ host: '127.0.0.1', port, expect: 'x', timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/reset|closed/);
  });
});
