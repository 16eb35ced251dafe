import http from 'node:http';
import { pause, type AppView, type Probe, type SoakContext } from './context.js';
import { formatSeconds } from './eventLog.js';

// Each app is asked for / every PROBE_INTERVAL_MS, as a client of the service would. The answers
// measure the share of time it served outside planned windows, and tell when it has recovered
// from a fault (which closes the window).

const PROBE_INTERVAL_MS = 150;
const PROBE_TIMEOUT_MS = 1000;

export interface Availability {
  /** Time covered by probes outside planned windows, and the part of it the app served. */
  outsideMs: number;
  servedMs: number;
  plannedMs: number;
  /** Longest stretch without service outside planned windows. */
  longestOutageMs: number;
}

export function emptyAvailability(): Availability {
  return { outsideMs: 0, servedMs: 0, plannedMs: 0, longestOutageMs: 0 };
}

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

export async function probeOnce(port: number): Promise<Probe> {
  const at = Date.now();
  try {
    const { status, body } = await get(port);
    const field = (name: string): string | null => new RegExp(`${name}=(\\S+)`).exec(body)?.[1] ?? null;
    const version = field('version');
    const pid = field('pid');
    return {
      at,
      doneAt: Date.now(),
      ok: status === 200,
      version: version === null ? null : Number(version),
      greeting: field('greeting'),
      pid: pid === null ? null : Number(pid),
      error: status === 200 ? null : `HTTP ${status}`,
    };
  } catch (error) {
    return { at, doneAt: Date.now(), ok: false, version: null, greeting: null, pid: null, error: (error as Error).message };
  }
}

/** Probe one app until `stop` aborts; updates its view, its availability and its windows. */
export async function probeLoop(ctx: SoakContext, view: AppView, stats: Availability, stop: AbortSignal): Promise<void> {
  let previous: Probe | null = null;
  let outageStart: number | null = null;
  while (!stop.aborted) {
    const probe = await probeOnce(view.app.port);
    view.probe = probe;
    if (previous) {
      // The time since the last answer; planned when a window was open at any moment of it or of
      // this probe's flight (a probe sent just before a kill fails just after it).
      const elapsed = probe.doneAt - previous.doneAt;
      if (ctx.windows.plannedDuring(view.app.name, previous.doneAt, probe.doneAt)) {
        stats.plannedMs += elapsed;
        outageStart = null;
      } else {
        stats.outsideMs += elapsed;
        if (probe.ok) {
          stats.servedMs += elapsed;
          if (outageStart !== null) {
            ctx.log.add('check', view.app.name, `served again after ${formatSeconds(probe.doneAt - outageStart).trim()} down outside any planned window`);
          }
          outageStart = null;
        } else {
          if (outageStart === null) {
            outageStart = previous.doneAt;
            ctx.log.add('check', view.app.name, `not serving outside any planned window: ${probe.error}`);
          }
          stats.longestOutageMs = Math.max(stats.longestOutageMs, probe.doneAt - outageStart);
        }
      }
    }
    previous = probe;
    for (const window of ctx.windows.closeRecovered(view)) {
      const took = (window.closedAt ?? probe.doneAt) - window.openedAt;
      ctx.log.add('recovered', view.app.name, `from ${window.fault} in ${formatSeconds(took).trim()} (pid ${probe.pid}, version ${probe.version})`);
    }
    await pause(PROBE_INTERVAL_MS, stop);
  }
}
