import type { InspectionEvent } from 'xstate';
import { DashboardHub } from '../dashboard/index.js';
import { checkListen, startHttpServer, type HttpServer } from '../http/httpServer.js';
import { combineInspectors, startInspector, type StatelyInspector } from '../inspect/index.js';
import type { Logger } from '../log.js';
import { HuddleMetrics, metricsHandler } from '../metrics/index.js';
import type { StatusJson } from '../control/types.js';

export interface ObservabilityOptions {
  /** Stream the charts to the Stately inspector at this WebSocket URL. */
  inspect?: string;
  /** Serve the dashboard, /api/status, /api/events and /metrics at `[host:]port` (loopback by default). */
  http?: string;
  httpToken?: string;
  httpAllowRemote?: boolean;
}

/**
 * What huddle shows of itself besides logs and the control socket: Prometheus metrics (always
 * collected, cheap), the optional Stately inspector stream and the optional HTTP endpoint.
 */
export class Observability {
  readonly metrics = new HuddleMetrics();
  /** The dashboard's live stream: told of every snapshot, reads the status only while a page is open. */
  readonly dashboard = new DashboardHub();
  private inspector?: StatelyInspector;
  private http?: HttpServer;
  /** Every inspection event of the actor system goes through here. */
  readonly inspect: (event: InspectionEvent) => void;

  constructor(
    private readonly options: ObservabilityOptions,
    private readonly logger: Logger,
    observer: (event: InspectionEvent) => void,
    secrets: () => Iterable<string>,
  ) {
    if (options.http !== undefined) {
      checkListen({ listen: options.http, token: options.httpToken, allowRemote: options.httpAllowRemote ?? false });
    }
    if (options.inspect !== undefined) this.inspector = startInspector({ url: options.inspect, logger, secrets });
    this.inspect = combineInspectors(
      observer,
      this.metrics.observeSnapshot,
      this.inspector?.inspect,
      options.http === undefined ? undefined : this.dashboard.inspect,
    );
  }

  /** Starts the HTTP endpoint, if asked for, once the daemon can answer status. */
  async serve(status: () => StatusJson): Promise<void> {
    if (this.options.http === undefined) return;
    this.http = await startHttpServer({
      listen: this.options.http,
      logger: this.logger,
      ...(this.options.httpToken === undefined ? {} : { token: this.options.httpToken }),
      allowRemote: this.options.httpAllowRemote ?? false,
      routes: {
        ...this.dashboard.routes(status),
        '/metrics': metricsHandler(this.metrics),
        '/api/status': (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(`${JSON.stringify(status())}\n`);
        },
      },
    });
  }

  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  async stop(): Promise<void> {
    // First: open event streams must not hold the server's close.
    this.dashboard.close();
    await this.http?.close();
    await this.inspector?.stop();
  }
}
