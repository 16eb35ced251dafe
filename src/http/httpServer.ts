import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Logger } from '../log.js';

// The daemon's optional HTTP endpoint (`huddle run --http`): metrics and status for operators and
// Prometheus. Loopback unless the operator says otherwise, and then only with a token.

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServerOptions {
  /** `host:port`, `:port` or `port`; the host defaults to 127.0.0.1. */
  listen: string;
  routes: Record<string, Route>;
  /** Required to listen on anything but loopback; then every request must carry it as a bearer token. */
  token?: string;
  allowRemote?: boolean;
  logger: Logger;
}

export interface HttpServer {
  readonly url: string;
  close(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(listen.trim());
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--http: expected [host:]port, got ${JSON.stringify(listen)}`);
  }
  return { host: match[1] || '127.0.0.1', port };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Where to listen, or a clear error: called before the daemon starts anything. */
export function checkListen(options: Pick<HttpServerOptions, 'listen' | 'token' | 'allowRemote'>): { host: string; port: number } {
  const { host, port } = parseListen(options.listen);
  if (!isLoopback(host) && !(options.allowRemote && options.token)) {
    throw new Error(`--http ${host}: not a loopback address; listening there needs --http-allow-remote and --http-token`);
  }
  return { host, port };
}

const TOKEN_COOKIE = 'huddle_token';

/** How a request proved it knows the token: bearer header (scripts), cookie or ?token= (browsers). */
function tokenAccess(req: IncomingMessage, url: URL, token: string): 'header' | 'cookie' | 'query' | 'refused' {
  if (req.headers.authorization === `Bearer ${token}`) return 'header';
  const cookies = (req.headers.cookie ?? '').split(';').map((c) => c.trim());
  if (cookies.includes(`${TOKEN_COOKIE}=${encodeURIComponent(token)}`)) return 'cookie';
  if (url.searchParams.get('token') === token) return 'query';
  return 'refused';
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { host, port } = checkListen(options);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://huddle');
    if (options.token) {
      const access = tokenAccess(req, url, options.token);
      if (access === 'refused') {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('missing or wrong token\n');
        return;
      }
      // A browser cannot set headers on EventSource: a valid ?token= becomes a same-site cookie.
      if (access === 'query') {
        res.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`);
      }
    }
    const path = url.pathname;
    const route = options.routes[path];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`no such page: ${path}\n`);
      return;
    }
    route(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  options.logger.info(`http endpoint on ${url} (${Object.keys(options.routes).join(', ')})`, { event: 'http' });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
