import { fromPromise } from 'xstate';
import type { HealthCheckInput, HealthCheckOutput } from '../../../machines/app.types.js';
import { parseStatusRange } from '../../config/index.js';
import { httpCheck, tcpCheck } from '../../health/index.js';
import { redact } from '../../util/redact.js';
import type { EffectsHost } from './host.js';

/** One check, http or tcp as configured; never rejects (a failure is `ok: false`). */
export function healthCheckActor(host: EffectsHost) {
  return fromPromise<HealthCheckOutput, HealthCheckInput>(({ input }) =>
    host.metrics.timeHealthCheck(input.app, checkOnce(host, input)),
  );
}

async function checkOnce(host: EffectsHost, input: HealthCheckInput): Promise<HealthCheckOutput> {
  const health = host.app(input.app).config.health;
  if (!health) return { ok: true, detail: 'no health check configured' };
  const timeoutMs = health.timeout * 1000;
  const result = health.http
    ? await httpCheck({
        url: health.http.url,
        status: parseStatusRange(health.http.status),
        ...(health.http.body === undefined ? {} : { body: health.http.body }),
        timeoutMs,
      })
    : await tcpCheck({ ...(health.tcp as NonNullable<typeof health.tcp>), timeoutMs });
  return { ok: result.ok, detail: redact(result.detail) };
}
