import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HuddleMetrics } from './huddleMetrics.js';

/** A node:http handler serving `metrics` in the Prometheus text format (mount it at `/metrics`). */
export function metricsHandler(metrics: HuddleMetrics): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    metrics.metricsText().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`cannot collect metrics: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  };
}
