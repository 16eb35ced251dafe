import { chmodSync, chownSync, lstatSync } from 'node:fs';
import { lstat, mkdir, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../log.js';
import { redactUrls } from '../util/redact.js';
import { ControlHttpError, UnknownAppError } from './errors.js';
import { checkSocketPathLength } from './socketPath.js';
import { CONTROL_ACTIONS, type CommandArgs, type ControlAction, type ControlHandler } from './types.js';

// The daemon's control API: HTTP/1.1 over a unix socket only the daemon's user can open.
//   GET  /v1/status                         → StatusJson
//   POST /v1/apps/:app/:action  {commit?}   → { ok, message }   (poll, restart, stop, start, deploy)
//   GET  /v1/apps/:app/logs?n=100&follow=1  → text/plain, streamed while following
// Errors are JSON `{ "error": "…" }` with a fitting status code (404 unknown app or route).

export interface ControlServerOptions {
  socketPath: string;
  handler: ControlHandler;
  /** Socket file mode; default 0o600. Use 0o660 with `group` to let a group of operators in. */
  mode?: number;
  /** gid given the socket (with a group-accessible `mode`). */
  group?: number;
  logger?: Logger;
  /** How long close() lets running requests finish before cutting them; default 2 s. */
  closeGraceMs?: number;
}

export interface ControlServer {
  readonly socketPath: string;
  /** Stop accepting, end log follows, let short requests finish, cut the rest, remove the socket. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const MAX_LOG_LINES = 100_000;
const DEFAULT_LOG_LINES = 100;

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const socketPath = path.resolve(options.socketPath);
  checkSocketPathLength(socketPath);
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await removeStaleSocket(socketPath);

  const active = new Set<ServerResponse>();
  const follows = new Set<AbortController>();
  let closing = false;
  let allDone: (() => void) | null = null;

  const server = http.createServer((req, res) => {
    active.add(res);
    res.on('close', () => {
      active.delete(res);
      if (active.size === 0) allDone?.();
    });
    if (closing) {
      res.setHeader('connection', 'close');
      sendError(res, new ControlHttpError(503, 'huddle daemon is shutting down'));
      return;
    }
    route(req, res, options.handler, follows).catch((error: unknown) => {
      const status = error instanceof ControlHttpError ? error.status : 500;
      if (status >= 500) options.logger?.error('control request failed', { method: req.method, url: req.url, error });
      if (!res.headersSent) sendError(res, error);
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await listenPrivately(server, socketPath, options.mode ?? 0o600, options.group);
  const ino = lstatSync(socketPath).ino;
  server.on('error', (error) => options.logger?.error('control socket error', { socket: socketPath, error }));

  return {
    socketPath,
    async close() {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const follow of follows) follow.abort();
      server.closeIdleConnections();
      if (active.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (allDone = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, options.closeGraceMs ?? 2_000))),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
      // libuv removes the socket file on close; this covers platforms that do not, and never
      // removes a socket that is not the one we created.
      try {
        if ((await lstat(socketPath)).ino === ino) await rm(socketPath, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/** A socket file left by a dead daemon is removed; one somebody still listens on is not. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isSocket()) throw new Error(`${socketPath} exists and is not a socket; remove it or choose another state dir`);
  const listening = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (listening) throw new Error(`another process is already listening on ${socketPath}`);
  await rm(socketPath, { force: true });
}

/**
 * listen() with the socket born 0600: bind(2) applies the umask, and Node binds synchronously
 * inside listen(), so a tight umask around that call leaves no moment where others could
 * connect. (chmod after listen would leave one: connect() is checked when it is called.)
 */
async function listenPrivately(server: http.Server, socketPath: string, mode: number, group?: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
    // Not listening here means bind failed: the 'error' event rejects.
    if (!server.listening) return;
    try {
      // Still synchronous with the bind: nobody has been accepted yet.
      if (group !== undefined) chownSync(socketPath, -1, group);
      chmodSync(socketPath, mode);
    } catch (error) {
      server.close();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

async function route(req: IncomingMessage, res: ServerResponse, handler: ControlHandler, follows: Set<AbortController>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://huddle');
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
  } catch {
    throw new ControlHttpError(400, `malformed path ${url.pathname}`);
  }
  const method = req.method ?? 'GET';
  const allow = (methods: string): void => {
    if (method !== methods) {
      res.setHeader('allow', methods);
      throw new ControlHttpError(405, `${method} not allowed on ${url.pathname} (use ${methods})`);
    }
  };

  if (parts.length === 2 && parts[0] === 'v1' && parts[1] === 'status') {
    allow('GET');
    sendJson(res, 200, await handler.status());
    return;
  }
  if (parts.length === 4 && parts[0] === 'v1' && parts[1] === 'apps') {
    const app = parts[2] as string;
    const action = parts[3] as string;
    if (action === 'logs') {
      allow('GET');
      await streamLogs(url, app, res, handler, follows);
      return;
    }
    if (!(CONTROL_ACTIONS as readonly string[]).includes(action)) {
      throw new ControlHttpError(404, `unknown action "${action}" (expected ${CONTROL_ACTIONS.join(', ')} or logs)`);
    }
    allow('POST');
    const args = parseCommandArgs(await readBody(req), action as ControlAction);
    await requireApp(handler, app);
    sendJson(res, 200, await handler.command(app, action as ControlAction, args));
    return;
  }
  throw new ControlHttpError(404, `no such endpoint: ${method} ${url.pathname}`);
}

async function requireApp(handler: ControlHandler, app: string): Promise<void> {
  const status = await handler.status();
  if (!status.apps.some((entry) => entry.name === app)) throw new UnknownAppError(app);
}

async function streamLogs(url: URL, app: string, res: ServerResponse, handler: ControlHandler, follows: Set<AbortController>): Promise<void> {
  const n = url.searchParams.get('n');
  const lines = n === null ? DEFAULT_LOG_LINES : Number(n);
  if (!Number.isSafeInteger(lines) || lines < 0 || lines > MAX_LOG_LINES) {
    throw new ControlHttpError(400, `n must be a whole number from 0 to ${MAX_LOG_LINES}, not "${n}"`);
  }
  const followParam = url.searchParams.get('follow');
  const follow = followParam === '1' || followParam === 'true';
  await requireApp(handler, app);

  const controller = new AbortController();
  follows.add(controller);
  // 'close' also fires after a normal end; aborting then is harmless.
  res.on('close', () => controller.abort());
  res.statusCode = 200;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  // The client learns at once that the app exists and the stream is open, even before output.
  if (follow) res.flushHeaders();
  try {
    await handler.logs(app, { lines, follow }, res, controller.signal);
  } catch (error) {
    if (!res.headersSent) throw error;
    if (!res.writableEnded && !res.destroyed) res.write(`huddle: ${redactUrls(errorMessage(error))}\n`);
  } finally {
    follows.delete(controller);
    if (!res.writableEnded && !res.destroyed) res.end();
  }
}

function parseCommandArgs(body: unknown, action: ControlAction): CommandArgs {
  if (body === undefined) body = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ControlHttpError(400, 'request body must be a JSON object');
  }
  const { commit } = body as { commit?: unknown };
  if (commit !== undefined && (typeof commit !== 'string' || commit.trim() === '')) {
    throw new ControlHttpError(400, '"commit" must be a non-empty string');
  }
  if (action === 'deploy' && commit === undefined) throw new ControlHttpError(400, 'deploy needs a commit: { "commit": "<id>" }');
  return commit === undefined ? {} : { commit: commit as string };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ControlHttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlHttpError(400, 'request body is not valid JSON');
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every string that leaves the daemon loses URL credentials (a remote URL in an error, say). */
function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item)]));
  }
  return value;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(redactStrings(body))}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  const status = error instanceof ControlHttpError ? error.status : 500;
  const message = status >= 500 && !(error instanceof ControlHttpError) ? `internal error: ${errorMessage(error)}` : errorMessage(error);
  sendJson(res, status, { error: message });
}
