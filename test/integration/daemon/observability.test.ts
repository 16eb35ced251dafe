// See inside a running daemon: /metrics and /api/status over --http, and the Stately inspector
// stream over --inspect, which never holds the daemon's shutdown.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { DaemonProcess, startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { httpGet } from '../../fixtures/daemon/http.js';
import { appProcesses } from '../../fixtures/daemon/processes.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

describe('huddle run --http and --inspect', () => {
  it('serves Prometheus metrics and the status JSON on loopback', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const daemon = await startDaemon(ws, { args: ['--http', '127.0.0.1:0'] });
    await daemon.waitHealthy('web', web.remote.head);
    const line = await daemon.waitForLog((l) => l.event === 'http', 'the http endpoint line');
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(String(line.message))?.[0];
    expect(base).toBeDefined();

    const metrics = await httpGet(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('huddle_app_state{app="web",state="healthy"} 1');
    expect(metrics.body).toContain('huddle_app_state{app="web",state="failed"} 0');
    expect(metrics.body).toContain(`huddle_app_commit_info{app="web",commit="${web.remote.head}"} 1`);
    expect(metrics.body).toMatch(/huddle_health_check_duration_seconds_count\{app="web"\} [1-9]/);
    expect(metrics.body).toMatch(/huddle_process_resident_memory_bytes \d+/);

    const status = JSON.parse((await httpGet(`${base}/api/status`)).body) as { apps: Array<{ name: string; state: string }> };
    expect(status.apps).toEqual([expect.objectContaining({ name: 'web', state: 'healthy' })]);
    expect((await httpGet(`${base}/nope`)).status).toBe(404);
  });

  it('refuses a non-loopback --http address without a token', async () => {
    const ws = await makeWorkspace();
    // Not startDaemon: it waits for a control socket this daemon must never open.
    const daemon = new DaemonProcess(ws, { args: ['--http', '0.0.0.0:0'] });
    const exit = await daemon.waitExit();
    expect(exit.code).toBe(1);
    expect(daemon.stderr.join('\n')).toMatch(/not a loopback address.*--http-token/);
  });

  it('streams the supervisor and every app to the Stately inspector, and still shuts down promptly', async () => {
    const receiver = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(receiver, 'listening');
    const messages: Array<{ type: string; sessionId?: string; snapshot?: unknown }> = [];
    receiver.on('connection', (socket) => socket.on('message', (data) => messages.push(JSON.parse(String(data)))));
    try {
      const ws = await makeWorkspace();
      await addApp(ws, 'web');
      await addApp(ws, 'db');
      const port = (receiver.address() as AddressInfo).port;
      const daemon = await startDaemon(ws, { args: ['--inspect', `ws://127.0.0.1:${port}`] });
      await daemon.waitHealthy('web');
      await daemon.waitHealthy('db');
      const actors = () => messages.filter((m) => m.type === '@xstate.actor').map((m) => JSON.stringify(m));
      await waitFor(() => ['"web"', '"db"'].every((id) => actors().some((a) => a.includes(id))), {
        timeoutMs: 10_000,
        what: '@xstate.actor messages for both apps',
      });
      expect(messages.some((m) => m.type === '@xstate.snapshot')).toBe(true);
      const started = Date.now();
      const exit = await daemon.stop();
      expect(exit.code).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const client of receiver.clients) client.terminate();
      receiver.close();
    }
  });

  it('a start that fails late (the --http port is taken) stops the apps it started and exits 1', async () => {
    const busy = net.createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const ws = await makeWorkspace();
      await addApp(ws, 'web');
      const port = (busy.address() as AddressInfo).port;
      const daemon = new DaemonProcess(ws, { args: ['--http', `127.0.0.1:${port}`] });
      const exit = await daemon.waitExit();
      expect(exit.code).toBe(1);
      expect(daemon.stderr.join('\n')).toMatch(/EADDRINUSE/);
      expect(appProcesses(ws.marker, 'web')).toEqual([]);
    } finally {
      busy.close();
    }
  });
});
