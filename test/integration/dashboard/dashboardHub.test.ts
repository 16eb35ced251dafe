// The dashboard's event stream and page over a real HTTP server on 127.0.0.1: what a browser gets.
import { once } from 'node:events';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusJson } from '../../../src/control/types.js';
import { DashboardHub } from '../../../src/dashboard/index.js';
import type { HttpServer } from '../../../src/http/httpServer.js';
import { httpGet } from '../../fixtures/daemon/http.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { oneApp, serveDashboard } from './dashboardServer.js';
import { SseClient } from './sseClient.js';

const hubs: DashboardHub[] = [];
const servers: HttpServer[] = [];
const clients: SseClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const hub of hubs.splice(0)) hub.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setUp(options: ConstructorParameters<typeof DashboardHub>[0] = {}, status?: () => StatusJson) {
  const hub = new DashboardHub(options);
  hubs.push(hub);
  const server = await serveDashboard(hub, status);
  servers.push(server);
  const connect = async () => {
    const client = new SseClient(`${server.url}/api/events`);
    clients.push(client);
    await client.waitOpen();
    return client;
  };
  return { hub, server, connect };
}

describe('DashboardHub /api/events', () => {
  it('sends the current status on connect, then every published status', async () => {
    const { hub, connect } = await setUp();
    hub.publish(oneApp({ state: 'fetching' }));
    const client = await connect();
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
    await client.waitForStatus((s) => s.apps[0]?.state === 'fetching', 'the current status');
    await waitFor(() => hub.clientCount === 1, { timeoutMs: 2000, what: 'the client to be counted' });

    hub.publish(oneApp({ state: 'healthy', commit: 'a'.repeat(40), pid: 42 }));
    const healthy = await client.waitForStatus((s) => s.apps[0]?.state === 'healthy', 'the published status');
    expect(healthy.apps[0]).toMatchObject({ name: 'web', commit: 'a'.repeat(40), pid: 42 });
  });

  it('coalesces a burst of changes into one event carrying the last status', async () => {
    const { hub, connect } = await setUp({ minIntervalMs: 100 });
    hub.publish(oneApp({ restarts: 0 }));
    const client = await connect();
    await client.waitForStatus((s) => s.apps[0]?.restarts === 0, 'the first status');
    for (let restarts = 1; restarts <= 50; restarts++) hub.publish(oneApp({ restarts }));
    await client.waitForStatus((s) => s.apps[0]?.restarts === 50, 'the last status of the burst');
    expect(client.statuses().map((s) => s.apps[0]?.restarts)).toEqual([0, 50]);

    // Changes spread over 400 ms: at most one event per 100 ms, and the last one always arrives.
    const started = Date.now();
    for (let restarts = 51; restarts <= 90; restarts++) {
      hub.publish(oneApp({ restarts }));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.waitForStatus((s) => s.apps[0]?.restarts === 90, 'the last status of the spread');
    const spreadEvents = client.statuses().length - 2;
    expect(spreadEvents).toBeGreaterThanOrEqual(2);
    expect(spreadEvents).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 1);
  });

  it('re-reads its status source on changed() and sends only what differs', async () => {
    let current = oneApp({ state: 'starting' });
    let reads = 0;
    const { hub, connect } = await setUp({ minIntervalMs: 10 }, () => {
      reads++;
      return current;
    });
    const client = await connect();
    await client.waitForStatus((s) => s.apps[0]?.state === 'starting', 'the status read on connect');
    const before = reads;
    hub.changed();
    await waitFor(() => reads > before, { timeoutMs: 2000, what: 'changed() to read the status' });
    const again = reads;
    hub.changed();
    await waitFor(() => reads > again, { timeoutMs: 2000, what: 'changed() to read the status again' });
    current = oneApp({ state: 'healthy' });
    hub.changed();
    await client.waitForStatus((s) => s.apps[0]?.state === 'healthy', 'the changed status');
    // Two reads found nothing new: they sent nothing.
    expect(client.statuses().map((s) => s.apps[0]?.state)).toEqual(['starting', 'healthy']);
  });

  it('is an xstate inspector: snapshot events mean the status may have changed', async () => {
    let reads = 0;
    const { hub, connect } = await setUp({}, () => {
      reads++;
      return oneApp();
    });
    await connect();
    const before = reads;
    hub.inspect({ type: '@xstate.event' } as Parameters<DashboardHub['inspect']>[0]);
    hub.inspect({ type: '@xstate.snapshot' } as Parameters<DashboardHub['inspect']>[0]);
    await waitFor(() => reads === before + 1, { timeoutMs: 2000, what: 'one read after a snapshot event' });
  });

  it('reads nothing while nobody listens', async () => {
    let reads = 0;
    const { hub } = await setUp({ minIntervalMs: 0 }, () => {
      reads++;
      return oneApp();
    });
    for (let i = 0; i < 20; i++) hub.changed();
    // A negative can only be checked after a while: the flush timer was due at once, 20 ms ago.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBe(0);
  });

  it('sends a heartbeat comment to keep the stream open', async () => {
    const { connect } = await setUp({ heartbeatMs: 50 });
    const client = await connect();
    await waitFor(() => client.comments.filter((c) => c === 'heartbeat').length >= 2, {
      timeoutMs: 3000,
      what: 'two heartbeats',
    });
  });

  it('drops a client that hangs up and keeps serving the others', async () => {
    const { hub, connect } = await setUp();
    hub.publish(oneApp({ state: 'idle' }));
    const leaving = await connect();
    const staying = await connect();
    await waitFor(() => hub.clientCount === 2, { timeoutMs: 2000, what: 'two clients' });
    leaving.close();
    await waitFor(() => hub.clientCount === 1, { timeoutMs: 2000, what: 'the gone client to be dropped' });
    hub.publish(oneApp({ state: 'healthy' }));
    await staying.waitForStatus((s) => s.apps[0]?.state === 'healthy', 'the status after the other client left');
  });

  it('close() ends every stream at once, so the server closes without waiting on them', async () => {
    // A plain node server (no closeAllConnections): only the hub can end the streams.
    const hub = new DashboardHub();
    hubs.push(hub);
    const routes = hub.routes(() => oneApp());
    const server: Server = http.createServer((req, res) => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`;
    try {
      const streams = [new SseClient(url), new SseClient(url)];
      clients.push(...streams);
      await waitFor(() => hub.clientCount === 2, { timeoutMs: 2000, what: 'two clients' });

      const started = Date.now();
      hub.close();
      expect(hub.clientCount).toBe(0);
      await Promise.all(streams.map((s) => s.waitEnded(2000)));
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses new streams once closed, and publish() after close is harmless', async () => {
    const { hub, server } = await setUp();
    hub.close();
    hub.publish(oneApp());
    hub.changed();
    const answer = await httpGet(`${server.url}/api/events`);
    expect(answer.status).toBe(503);
  });
});

describe('DashboardHub /', () => {
  it('serves one self-contained page with the chart and the current status', async () => {
    const { server } = await setUp({}, () => oneApp({ name: 'evil</script><b>', state: 'healthy' }));
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      http
        .get(`${server.url}/`, { agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        })
        .on('error', reject);
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.headers['content-security-policy']).toContain("connect-src 'self'");
    // Nothing from elsewhere: no external script, style, font or image.
    expect(answer.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const state of ['idle', 'fetching', 'stopping', 'updating', 'starting', 'healthy', 'unhealthy', 'failed', 'stopped']) {
      expect(answer.body).toContain(`data-state="${state}"`);
    }
    // The app name cannot end the data block early.
    expect(answer.body).not.toContain('evil</script>');
    expect(answer.body).toContain('evil\\u003c/script>');
  });

  it('answers GET and HEAD only', async () => {
    const { server } = await setUp();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(405);
  });
});
