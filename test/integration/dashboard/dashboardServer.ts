import { Writable } from 'node:stream';
import type { StatusJson } from '../../../src/control/types.js';
import type { DashboardHub } from '../../../src/dashboard/index.js';
import { startHttpServer, type HttpServer } from '../../../src/http/httpServer.js';
import { createLogger } from '../../../src/log.js';

/** huddle's own HTTP server on 127.0.0.1 with nothing but the dashboard's routes. */
export function serveDashboard(hub: DashboardHub, status?: () => StatusJson): Promise<HttpServer> {
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  return startHttpServer({
    listen: '127.0.0.1:0',
    routes: hub.routes(status),
    logger: createLogger({ level: 'error', stream: quiet }),
  });
}

/** A status of one app, for publishing. */
export function oneApp(overrides: Partial<StatusJson['apps'][number]> = {}): StatusJson {
  return {
    apps: [
      {
        name: 'web',
        state: 'fetching',
        commit: null,
        lastGoodCommit: null,
        pid: null,
        restarts: 0,
        health: 'unknown',
        since: new Date().toISOString(),
        error: null,
        waitingFor: [],
        ...overrides,
      },
    ],
  };
}
