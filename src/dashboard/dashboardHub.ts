import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InspectionEvent } from 'xstate';
import type { StatusJson } from '../control/types.js';
import type { Route } from '../http/httpServer.js';
import { dashboardPage } from './dashboardPage.js';

// The live side of the dashboard: server-sent events carrying the whole status JSON. A fleet
// device runs a handful of apps, so the full status is small; sending it whole keeps the page
// stateless (a reconnecting client needs nothing but the next event).

export interface DashboardOptions {
  /** A comment line on every stream this often, so proxies and browsers keep it open. */
  heartbeatMs?: number;
  /** At most one event per this many ms: bursts of state changes are coalesced into one. */
  minIntervalMs?: number;
  /** A client that reads slower than this many unsent bytes is dropped rather than buffered. */
  maxBufferedBytes?: number;
}

const DEFAULTS: Required<DashboardOptions> = { heartbeatMs: 15_000, minIntervalMs: 100, maxBufferedBytes: 1 << 20 };

export class DashboardHub {
  private readonly options: Required<DashboardOptions>;
  private readonly clients = new Set<ServerResponse>();
  private source: (() => StatusJson) | undefined;
  /** The last status given to publish(), for clients that connect later when there is no source. */
  private latest: StatusJson | undefined;
  private pending: StatusJson | undefined;
  private lastJson: string | undefined;
  private lastSentAt = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: DashboardOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** How many event streams are open. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Send this status to every client (coalesced: at most one event per minIntervalMs). */
  publish(status: StatusJson): void {
    if (this.closed) return;
    this.latest = status;
    this.pending = status;
    this.schedule();
  }

  /**
   * Something may have changed: re-read the status source (given to routes()) before the next
   * event. Cheap to call on every inspection event: nothing is read while no client listens, and
   * an unchanged status sends nothing.
   */
  changed(): void {
    if (this.closed || this.source === undefined) return;
    this.schedule();
  }

  /** An xstate inspector (for combineInspectors): every snapshot may change the status. */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.snapshot') this.changed();
  };

  /**
   * `/` (the page) and `/api/events` (the stream). With `status`, the page starts from it and
   * changed() re-reads it; without, both use what publish() was last given.
   */
  routes(status?: () => StatusJson): Record<string, Route> {
    if (status) this.source = status;
    return {
      '/': (req, res) => {
        if (!allowMethod(req, res)) return;
        const page = dashboardPage(this.current() ?? { apps: [] }, new Date());
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': page.contentSecurityPolicy,
        });
        res.end(req.method === 'HEAD' ? undefined : page.html);
      },
      '/api/events': (req, res) => {
        if (!allowMethod(req, res)) return;
        this.attach(req, res);
      },
    };
  }

  /** End every stream now and stop all timers; later connections get 503. Never waits on clients. */
  close(): void {
    this.closed = true;
    clearTimeout(this.flushTimer);
    clearInterval(this.heartbeat);
    this.flushTimer = undefined;
    this.heartbeat = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private current(): StatusJson | undefined {
    return this.source ? this.source() : this.latest;
  }

  private attach(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('shutting down\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // The stream has a connection of its own: once it ends, so does the socket (close() must
      // not leave keep-alive sockets holding the server's shutdown).
      connection: 'close',
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    req.socket.setNoDelay(true);
    this.clients.add(res);
    const drop = () => this.drop(res);
    res.on('close', drop);
    res.on('error', drop);
    // Ask browsers to come back quickly after a daemon restart.
    this.write(res, 'retry: 2000\n\n');
    const status = this.current();
    if (status !== undefined) {
      const json = JSON.stringify(status);
      // Newer than what the others have: they get it too, so that everyone agrees on the last event.
      if (json !== this.lastJson) {
        this.lastJson = json;
        this.lastSentAt = Date.now();
        this.broadcast(eventOf(json));
      } else {
        this.write(res, eventOf(json));
      }
    }
    this.heartbeat ??= setInterval(() => this.broadcast(': heartbeat\n\n'), this.options.heartbeatMs).unref();
  }

  private drop(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (!res.writableEnded) res.destroy();
    if (this.clients.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private write(res: ServerResponse, chunk: string): void {
    if (res.writableLength > this.options.maxBufferedBytes) {
      this.drop(res);
      return;
    }
    res.write(chunk);
  }

  private broadcast(chunk: string): void {
    for (const res of [...this.clients]) this.write(res, chunk);
  }

  private schedule(): void {
    if (this.flushTimer !== undefined) return;
    // Deferred even when due now: a burst of changes in one tick becomes one event, read after the
    // actors have settled.
    const wait = Math.max(0, this.lastSentAt + this.options.minIntervalMs - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, wait).unref();
  }

  private flush(): void {
    const published = this.pending;
    this.pending = undefined;
    if (this.clients.size === 0) {
      // Nobody listens: nothing to read. A client that connects gets the current status anyway.
      this.lastJson = undefined;
      return;
    }
    const status = published ?? this.source?.();
    if (status === undefined) return;
    const json = JSON.stringify(status);
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.lastSentAt = Date.now();
    this.broadcast(eventOf(json));
  }
}

function eventOf(json: string): string {
  return `event: status\ndata: ${json}\n\n`;
}

function allowMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET only\n');
  return false;
}
