import { spawn } from 'node:child_process';
import { appendFile, lstat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { controlRequest, getStatus, sendCommand, streamLogs } from '../../src/control/client.js';
import { ControlRequestError, DaemonNotRunningError, UnknownAppError } from '../../src/control/errors.js';
import { writeLogTail } from '../../src/control/logTail.js';
import { startControlServer, type ControlServer } from '../../src/control/server.js';
import type { CommandArgs, ControlAction, ControlHandler, LogsOptions, StatusJson } from '../../src/control/types.js';
import { socketPath } from '../../src/daemon/paths.js';
import { Capture, tempDirs, waitFor } from './helpers.js';

const dirs = tempDirs();
const servers: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await dirs.cleanup();
});

const STATUS: StatusJson = {
  apps: [
    {
      name: 'web',
      state: 'healthy',
      commit: '0123456789abcdef0123456789abcdef01234567',
      lastGoodCommit: '0123456789abcdef0123456789abcdef01234567',
      pid: 4242,
      restarts: 1,
      health: 'passing',
      since: '2025-06-01T11:00:00.000Z',
      error: null,
    },
    { name: 'my app', state: 'fetching', commit: null, lastGoodCommit: null, pid: null, restarts: 0, health: 'unknown', since: '2025-06-01T11:00:00.000Z', error: 'clone https://u:secret@h/r failed' },
  ],
};

class FakeDaemon implements ControlHandler {
  calls: Array<{ app: string; action: ControlAction; args: CommandArgs }> = [];
  constructor(private readonly logDir: string) {}
  status(): StatusJson {
    return STATUS;
  }
  async command(app: string, action: ControlAction, args: CommandArgs) {
    this.calls.push({ app, action, args });
    if (action === 'poll') throw new Error('git fetch https://bob:hunter2@git.example/r.git exploded');
    return { ok: action !== 'stop', message: `${action} ${app}${args.commit ? ` ${args.commit}` : ''}` };
  }
  async logs(app: string, options: LogsOptions, out: Writable, signal: AbortSignal) {
    await writeLogTail(path.join(this.logDir, `${app}.log`), { ...options, pollMs: 10 }, out, signal);
  }
}

async function start(): Promise<{ stateDir: string; daemon: FakeDaemon; server: ControlServer }> {
  const stateDir = await dirs.make();
  const daemon = new FakeDaemon(stateDir);
  const server = await startControlServer({ socketPath: socketPath(stateDir), handler: daemon });
  servers.push(server);
  return { stateDir, daemon, server };
}

function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

describe('control socket', () => {
  it('is created with mode 0600 at <stateDir>/huddle.sock', async () => {
    const { stateDir } = await start();
    const stats = await lstat(path.join(stateDir, 'huddle.sock'));
    expect(stats.isSocket()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o600);
  });

  it('honours a group mode when asked (0660)', async () => {
    const stateDir = await dirs.make();
    const server = await startControlServer({ socketPath: socketPath(stateDir), handler: new FakeDaemon(stateDir), mode: 0o660, group: process.getgid?.() ?? 0 });
    servers.push(server);
    expect((await lstat(socketPath(stateDir))).mode & 0o777).toBe(0o660);
  });

  it('round-trips status, with credentials redacted', async () => {
    const { stateDir } = await start();
    const status = await getStatus(stateDir);
    expect(status.apps[0]).toEqual(STATUS.apps[0]);
    expect(status.apps[1]?.error).toBe('clone https://***@h/r failed');
  });

  it('round-trips commands, including app names that need escaping and deploy with a commit', async () => {
    const { stateDir, daemon } = await start();
    expect(await sendCommand(stateDir, 'web', 'restart')).toEqual({ ok: true, message: 'restart web' });
    expect(await sendCommand(stateDir, 'my app', 'deploy', { commit: 'abc1234' })).toEqual({ ok: true, message: 'deploy my app abc1234' });
    expect(await sendCommand(stateDir, 'web', 'stop')).toEqual({ ok: false, message: 'stop web' });
    expect(daemon.calls).toEqual([
      { app: 'web', action: 'restart', args: {} },
      { app: 'my app', action: 'deploy', args: { commit: 'abc1234' } },
      { app: 'web', action: 'stop', args: {} },
    ]);
  });

  it('answers unknown apps, actions and routes with 404, bad input with 400, wrong methods with 405', async () => {
    const { stateDir, daemon } = await start();
    const unknownApp = await rejection(sendCommand(stateDir, 'nope', 'restart'));
    expect(unknownApp).toBeInstanceOf(ControlRequestError);
    expect(unknownApp).toMatchObject({ status: 404, message: 'unknown app "nope"' });
    const unknownLogs = await rejection(streamLogs(stateDir, 'nope', { lines: 5, follow: true }, new Capture()));
    expect(unknownLogs).toMatchObject({ status: 404, message: 'unknown app "nope"' });
    expect(await rejection(controlRequest(stateDir, 'POST', '/v1/apps/web/explode'))).toMatchObject({ status: 404, message: expect.stringContaining('unknown action "explode"') });
    expect(await rejection(controlRequest(stateDir, 'GET', '/v2/whatever'))).toMatchObject({ status: 404, message: 'no such endpoint: GET /v2/whatever' });
    expect(await rejection(sendCommand(stateDir, 'web', 'deploy'))).toMatchObject({ status: 400, message: expect.stringContaining('deploy needs a commit') });
    expect(await rejection(controlRequest(stateDir, 'POST', '/v1/apps/web/deploy', { commit: 5 }))).toMatchObject({ status: 400 });
    expect(await rejection(controlRequest(stateDir, 'POST', '/v1/status'))).toMatchObject({ status: 405 });
    expect(await rejection(controlRequest(stateDir, 'GET', '/v1/apps/web/logs?n=-1'))).toMatchObject({ status: 400 });
    expect(daemon.calls).toEqual([]);
  });

  it('turns a handler failure into a 500 whose message has no credentials', async () => {
    const { stateDir } = await start();
    const error = await rejection(sendCommand(stateDir, 'web', 'poll'));
    expect(error).toMatchObject({ status: 500 });
    expect(error.message).toBe('internal error: git fetch https://***@git.example/r.git exploded');
  });

  it('maps an UnknownAppError thrown by the handler to 404', async () => {
    const stateDir = await dirs.make();
    const handler = new FakeDaemon(stateDir);
    handler.command = async (app) => {
      throw new UnknownAppError(app);
    };
    servers.push(await startControlServer({ socketPath: socketPath(stateDir), handler }));
    expect(await rejection(sendCommand(stateDir, 'web', 'start'))).toMatchObject({ status: 404, message: 'unknown app "web"' });
  });

  it('says in one line that no daemon runs: no socket, or a socket left by a killed daemon', async () => {
    const stateDir = await dirs.make();
    const sock = socketPath(stateDir);
    const missing = await rejection(getStatus(stateDir));
    expect(missing).toBeInstanceOf(DaemonNotRunningError);
    expect(missing.message).toBe(`huddle daemon is not running (no socket at ${sock})`);

    // A daemon killed with SIGKILL leaves its socket file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', () => resolve());
        child.once('exit', () => reject(new Error('listener exited early')));
      });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await lstat(sock)).isSocket()).toBe(true);
    expect(await rejection(getStatus(stateDir))).toBeInstanceOf(DaemonNotRunningError);
    expect(await rejection(streamLogs(stateDir, 'web', { lines: 1, follow: false }, new Capture()))).toBeInstanceOf(DaemonNotRunningError);

    // The next daemon replaces the stale socket.
    servers.push(await startControlServer({ socketPath: sock, handler: new FakeDaemon(stateDir) }));
    expect((await getStatus(stateDir)).apps).toHaveLength(2);
  });

  it('refuses to take a socket somebody listens on, or a path that is not a socket', async () => {
    const { stateDir } = await start();
    await expect(startControlServer({ socketPath: socketPath(stateDir), handler: new FakeDaemon(stateDir) })).rejects.toThrow(/already listening/);
    const other = await dirs.make();
    await writeFile(socketPath(other), 'a regular file');
    await expect(startControlServer({ socketPath: socketPath(other), handler: new FakeDaemon(other) })).rejects.toThrow(/exists and is not a socket/);
  });

  it('rejects a socket path too long for a unix socket, on both sides', async () => {
    const stateDir = path.join(await dirs.make(), 'x'.repeat(120));
    await expect(startControlServer({ socketPath: socketPath(stateDir), handler: new FakeDaemon(stateDir) })).rejects.toThrow(/too long for a unix socket/);
    await expect(getStatus(stateDir)).rejects.toThrow(/too long for a unix socket/);
  });

  it('streams the log tail, and a follow receives appended lines and ends when the server closes', async () => {
    const { stateDir, server } = await start();
    const log = path.join(stateDir, 'web.log');
    await writeFile(log, 'l1\nl2\nl3\n');
    const tail = new Capture();
    await streamLogs(stateDir, 'web', { lines: 2, follow: false }, tail);
    expect(tail.text).toBe('l2\nl3\n');

    const followed = new Capture();
    const following = streamLogs(stateDir, 'web', { lines: 1, follow: true }, followed);
    await waitFor(() => followed.text === 'l3\n', 'the tail of the follow');
    await appendFile(log, 'l4\n');
    await appendFile(log, 'l5\n');
    await waitFor(() => followed.text === 'l3\nl4\nl5\n', 'appended lines');
    const started = Date.now();
    await server.close();
    await following;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(followed.writableEnded).toBe(false); // the caller's stream (stdout) is not ended
    await expect(lstat(socketPath(stateDir))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await rejection(getStatus(stateDir))).toBeInstanceOf(DaemonNotRunningError);
  });

  it('a client that stops following (Ctrl-C) frees its follow on the server', async () => {
    const { stateDir, daemon } = await start();
    await writeFile(path.join(stateDir, 'web.log'), 'x\n');
    let aborted = false;
    const original = daemon.logs.bind(daemon);
    daemon.logs = async (app, options, out, signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      await original(app, options, out, signal);
    };
    const controller = new AbortController();
    const out = new Capture();
    const following = streamLogs(stateDir, 'web', { lines: 1, follow: true, signal: controller.signal }, out);
    await waitFor(() => out.text === 'x\n', 'the follow to start');
    controller.abort();
    await following;
    await waitFor(() => aborted, 'the server to see the client leave');
  });

  it('close() does not wait for a slow command beyond its grace period', async () => {
    const stateDir = await dirs.make();
    const handler = new FakeDaemon(stateDir);
    let reached = false;
    handler.command = () => {
      reached = true;
      return new Promise(() => undefined); // never answers
    };
    const server = await startControlServer({ socketPath: socketPath(stateDir), handler, closeGraceMs: 100 });
    const pending = rejection(sendCommand(stateDir, 'web', 'stop'));
    await waitFor(() => reached, 'the command to reach the handler');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await pending).message).toMatch(/cannot talk to the huddle daemon|socket hang up/);
  });
});
