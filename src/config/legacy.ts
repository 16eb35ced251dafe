import { isHost, isHttpUrl } from './formats.js';
import type { PathProblem } from './pathProblem.js';
import { quote } from './quote.js';

// The original huddle's `watchdog` section, replaced by the equivalent `health` section. The
// original probed `host:port` every `period` seconds (the first probe one period after start) and
// restarted the app on a failed probe. A host containing "http" meant requests.get(host:port)
// expecting 200 (after redirects, hence any 2xx/3xx here); anything else meant a socket that
// sent `request` (default "watchdog") and looked for `response` in the reply.

/** What `watchdog` holds once the schema has typed it and filled its defaults. */
export interface Watchdog {
  period: number;
  host: string;
  port?: number;
  request: string;
  response?: string;
}

export interface MappedHealth {
  http?: { url: string; status: string };
  tcp?: { host: string; port: number; send?: string; expect?: string };
  interval: number;
  'start period': number;
}

/** Keys the original huddle's own samples used, with what to write instead. */
export const LEGACY_HINTS: Record<string, string> = {
  '/test': 'not supported: the original huddle reserved [test] but never implemented it (an app '
    + 'with it did not run); remove it',
  '/application/executable': 'unknown key; the command that starts the app is "start" (the original '
    + 'huddle ignored "executable" here)',
};

const URL_PREFIX = /^https?:\/\//i;

export function watchdogToHealth(watchdog: Watchdog): { health?: MappedHealth; problems: PathProblem[] } {
  const host = watchdog.host.trim();
  const timing = { interval: watchdog.period, 'start period': watchdog.period };
  if (URL_PREFIX.test(host)) {
    if (!isHttpUrl(host)) {
      return { problems: [{ path: ['watchdog', 'host'], message: `is not a valid http:// or https:// URL, got ${quote(host)}` }] };
    }
    const url = new URL(host);
    if (watchdog.port !== undefined) url.port = String(watchdog.port);
    return { health: { http: { url: url.href, status: '200-399' }, ...timing }, problems: [] };
  }
  if (!isHost(host)) {
    return {
      problems: [{
        path: ['watchdog', 'host'],
        message: `must be a host name, an IP address, or an http:// or https:// URL, got ${quote(host)}`,
      }],
    };
  }
  const tcp: NonNullable<MappedHealth['tcp']> = { host, port: watchdog.port ?? 80 };
  if (watchdog.request !== '') tcp.send = watchdog.request;
  // The original passed every reply when `response` was empty and failed every probe when it was
  // missing; both now mean "the connection opened".
  if (watchdog.response !== undefined && watchdog.response.trim() !== '') tcp.expect = watchdog.response;
  return { health: { tcp, ...timing }, problems: [] };
}
