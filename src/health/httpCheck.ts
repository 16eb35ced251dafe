import http from 'node:http';
import https from 'node:https';
import { redactUrls } from '../util/redact.js';
import { describeNetworkError, excerpt } from './describeNetworkError.js';
import type { HealthResult } from './healthResult.js';

export interface HttpCheckSpec {
  url: string;
  /** Accepted status codes, inclusive. */
  status: { min: number; max: number };
  /** A substring the response body must contain. */
  body?: string;
  /** For the whole check: connect, request, status and body. */
  timeoutMs: number;
}

// The body is searched only this far: a health endpoint that streams forever must not be read forever.
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * GET `url` once, on a connection of its own (no keep-alive: a check must see a server that
 * stopped accepting connections, and must not leave a socket behind). Every failure — refused,
 * reset, timeout, DNS, a status outside the range, a body without the substring — resolves to
 * `ok: false` with a detail; this never throws.
 */
export function httpCheck(spec: HttpCheckSpec): Promise<HealthResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let request: http.ClientRequest | undefined;
    let host = 'the server';
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Destroying the request frees its socket whether or not the response was read.
      request?.destroy();
      resolve({ ok, detail: redactUrls(detail), durationMs: Math.round(performance.now() - started) });
    };
    const timer = setTimeout(() => finish(false, `no answer from ${host} within ${spec.timeoutMs} ms`), spec.timeoutMs);

    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      finish(false, `invalid URL ${spec.url}`);
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      finish(false, `unsupported URL scheme ${url.protocol} (http or https)`);
      return;
    }
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    host = url.host;

    try {
      request = (url.protocol === 'https:' ? https : http).request(
        url,
        { method: 'GET', agent: false, headers: { connection: 'close', 'user-agent': 'huddle-health-check' } },
        (response) => {
          const code = response.statusCode ?? 0;
          response.on('error', (e) => finish(false, describeNetworkError(e, url.hostname, port)));
          if (code < spec.status.min || code > spec.status.max) {
            finish(false, `HTTP ${code}, expected ${spec.status.min}-${spec.status.max}`);
            return;
          }
          const wanted = spec.body;
          if (wanted === undefined || wanted === '') {
            finish(true, `HTTP ${code}`);
            return;
          }
          let text = '';
          let bytes = 0;
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
            bytes += Buffer.byteLength(chunk);
            if (text.includes(wanted)) finish(true, `HTTP ${code}, body contains ${excerpt(wanted)}`);
            else if (bytes > MAX_BODY_BYTES) finish(false, `HTTP ${code}, ${excerpt(wanted)} not in the first ${MAX_BODY_BYTES} bytes of the body`);
          });
          response.on('end', () => finish(false, `HTTP ${code}, body does not contain ${excerpt(wanted)} (got ${excerpt(text)})`));
          response.on('close', () => finish(false, `HTTP ${code}, connection closed before the body contained ${excerpt(wanted)}`));
        },
      );
    } catch (e) {
      finish(false, `cannot send the request: ${(e as Error).message}`);
      return;
    }
    request.on('error', (e) => finish(false, describeNetworkError(e, url.hostname, port)));
    request.end();
  });
}
