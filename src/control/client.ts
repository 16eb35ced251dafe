import http from 'node:http';
import type { Writable } from 'node:stream';
import { socketPath as socketPathOf } from '../daemon/paths.js';
import { ControlRequestError, DaemonNotRunningError } from './errors.js';
import { checkSocketPathLength } from './socketPath.js';
import type { CommandArgs, CommandResult, ControlAction, LogsOptions, StatusJson } from './types.js';

// The CLI side of the control socket. Connection failures that mean "no daemon" become
// DaemonNotRunningError, whose message is the one line the CLI prints.

export interface ControlRequestOptions {
  /** Give up after this long; default: no limit (a `stop` may take the app's stop timeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const NOT_RUNNING_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ENOTDIR']);

function connectionError(error: NodeJS.ErrnoException, socket: string): Error {
  if (NOT_RUNNING_CODES.has(error.code ?? '')) return new DaemonNotRunningError(socket);
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return new Error(`permission denied on ${socket} (run as the daemon's user or root)`);
  }
  return new Error(`cannot talk to the huddle daemon at ${socket}: ${error.message}`);
}

function open(stateDir: string, method: string, path: string, body: unknown, options: ControlRequestOptions): Promise<{ res: http.IncomingMessage; socket: string }> {
  const socket = socketPathOf(stateDir);
  checkSocketPathLength(socket);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request: http.RequestOptions & { servername: string } = {
      socketPath: socket,
      // One request per connection: a pooled keep-alive socket would hold a CLI process open.
      agent: false,
      // No TLS here, but without a servername Node's agent works one out and tests it with
      // net.isIP, whose first call compiles the IPv6 pattern: 4 ms of every CLI command.
      servername: '',
      method,
      path,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      signal: options.signal,
      timeout: options.timeoutMs,
    };
    const req = http.request(request);
    req.on('timeout', () => req.destroy(new Error(`the huddle daemon at ${socket} did not answer within ${options.timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.name === 'AbortError' || error.code === 'ABORT_ERR' || error.message.startsWith('the huddle daemon') ? error : connectionError(error, socket));
    });
    req.on('response', (res) => resolve({ res, socket }));
    req.end(payload);
  });
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function failure(res: http.IncomingMessage): Promise<ControlRequestError> {
  const text = await readAll(res).catch(() => '');
  let message = `the daemon answered HTTP ${res.statusCode}`;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // not JSON: keep the generic message
  }
  return new ControlRequestError(res.statusCode ?? 0, message);
}

/** One JSON request to the daemon of `stateDir`; throws ControlRequestError on an error status. */
export async function controlRequest<T = unknown>(stateDir: string, method: string, path: string, body?: unknown, options: ControlRequestOptions = {}): Promise<T> {
  const { res } = await open(stateDir, method, path, body, options);
  if ((res.statusCode ?? 0) >= 400) throw await failure(res);
  const text = await readAll(res);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`the huddle daemon sent something that is not JSON for ${method} ${path}`);
  }
}

export function getStatus(stateDir: string, options: ControlRequestOptions = { timeoutMs: 10_000 }): Promise<StatusJson> {
  return controlRequest<StatusJson>(stateDir, 'GET', '/v1/status', undefined, options);
}

export function sendCommand(stateDir: string, app: string, action: ControlAction, args: CommandArgs = {}, options: ControlRequestOptions = {}): Promise<CommandResult> {
  return controlRequest<CommandResult>(stateDir, 'POST', `/v1/apps/${encodeURIComponent(app)}/${action}`, args, options);
}

/**
 * Copy the app's log to `out` (which is not ended: it may be stdout). With `follow` it runs until
 * `signal` aborts or the daemon closes the stream (it stopped); both resolve normally.
 */
export async function streamLogs(stateDir: string, app: string, options: LogsOptions & { signal?: AbortSignal }, out: Writable): Promise<void> {
  const query = `n=${options.lines}${options.follow ? '&follow=1' : ''}`;
  let res: http.IncomingMessage;
  try {
    ({ res } = await open(stateDir, 'GET', `/v1/apps/${encodeURIComponent(app)}/logs?${query}`, undefined, { signal: options.signal }));
  } catch (error) {
    if (options.signal?.aborted) return;
    throw error;
  }
  if ((res.statusCode ?? 0) >= 400) throw await failure(res);
  await new Promise<void>((resolve) => {
    res.pipe(out, { end: false });
    // 'close' comes after 'end', and also when the daemon or the signal cuts the stream.
    res.on('close', () => {
      res.unpipe(out);
      resolve();
    });
    res.on('error', () => undefined);
  });
}
