import type { InspectionEvent } from 'xstate';
import type { StatusJson } from '../control/types.js';
import type { DashboardHub } from '../dashboard/index.js';
import { checkListen, startHttpServer, type HttpServer } from '../http/httpServer.js';
import { combineInspectors } from '../inspect/combineInspectors.js';
import type { StatelyInspector } from '../inspect/index.js';
import type { Logger } from '../log.js';
import type { EffectTimers, HuddleMetrics } from '../metrics/index.js';

export interface ObservabilityOptions {
  /** Stream the charts to the Stately inspector at this WebSocket URL. */
  inspect?: string;
  /** Serve the dashboard, /api/status, /api/events and /metrics at `[host:]port` (loopback by default). */
  http?: string;
  httpToken?: string;
  httpAllowRemote?: boolean;
}

/** Timing wrappers that time nothing: without `--http` nobody can read the metrics. */
const untimed: EffectTimers = {
  timePoll: (_app, promise) => promise,
  timeHealthCheck: (_app, promise) => promise,
};

/**
 * What huddle shows of itself besides logs and the control socket: Prometheus metrics and the
 * dashboard (with `--http`), and the Stately inspector stream (with `--inspect`). Each is loaded
 * only when asked for: a daemon on a small device does not carry prom-client, a WebSocket client
 * or the dashboard in memory for nothing.
 */
export class Observability {
  /** Every inspection event of the actor system goes through here. */
  readonly inspect: (event: InspectionEvent) => void;
  private http?: HttpServer;

  private constructor(
    private readonly options: ObservabilityOptions,
    private readonly logger: Logger,
    observer: (event: InspectionEvent) => void,
    private readonly metricsOrNone: HuddleMetrics | undefined,
    private readonly dashboard: DashboardHub | undefined,
    private readonly inspector: StatelyInspector | undefined,
  ) {
    this.inspect = combineInspectors(observer, metricsOrNone?.observeSnapshot, inspector?.inspect, dashboard?.inspect);
  }

  static async create(
    options: ObservabilityOptions,
    logger: Logger,
    observer: (event: InspectionEvent) => void,
    secrets: () => Iterable<string>,
  ): Promise<Observability> {
    let metrics: HuddleMetrics | undefined;
    let dashboard: DashboardHub | undefined;
    if (options.http !== undefined) {
      checkListen({ listen: options.http, token: options.httpToken, allowRemote: options.httpAllowRemote ?? false });
      metrics = new (await import('../metrics/index.js')).HuddleMetrics();
      dashboard = new (await import('../dashboard/index.js')).DashboardHub();
    }
    const inspector = options.inspect === undefined
      ? undefined
      : (await import('../inspect/index.js')).startInspector({ url: options.inspect, logger, secrets });
    return new Observability(options, logger, observer, metrics, dashboard, inspector);
  }

  /** The timing wrappers the effects use (real ones only when metrics are served). */
  get metrics(): EffectTimers {
    return this.metricsOrNone ?? untimed;
  }

  /** Starts the HTTP endpoint, if asked for, once the daemon can answer status. */
  async serve(status: () => StatusJson): Promise<void> {
    const { http } = this.options;
    if (http === undefined || !this.metricsOrNone || !this.dashboard) return;
    const { metricsHandler } = await import('../metrics/index.js');
    this.http = await startHttpServer({
      listen: http,
      logger: this.logger,
      ...(this.options.httpToken === undefined ? {} : { token: this.options.httpToken }),
      allowRemote: this.options.httpAllowRemote ?? false,
      routes: {
        ...this.dashboard.routes(status),
        '/metrics': metricsHandler(this.metricsOrNone),
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
    this.dashboard?.close();
    await this.http?.close();
    await this.inspector?.stop();
  }
}
