import net from 'node:net';
import { describeNetworkError, excerpt } from './describeNetworkError.js';
import type { HealthResult } from './healthResult.js';

export interface TcpCheckSpec {
  host: string;
  port: number;
  /** Written once connected. */
  send?: string;
  /** A substring the server must send back (after `send`, if any). */
  expect?: string;
  /** For the whole check: connect, send and expect. */
  timeoutMs: number;
}

const MAX_READ_BYTES = 64 * 1024;

/**
 * Connect to host:port; optionally send, optionally wait for a substring. Refused, reset,
 * timeout, DNS failure, a closed connection or a mismatch resolve to `ok: false` with a
 * detail; this never throws, and the socket and timer are gone when it resolves.
 */
export function tcpCheck(spec: TcpCheckSpec): Promise<HealthResult> {
  const started = performance.now();
  const where = `${spec.host}:${spec.port}`;
  return new Promise((resolve) => {
    let settled = false;
    let socket: net.Socket | undefined;
    let received = '';
    const finish = (ok: boolean, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve({ ok, detail, durationMs: Math.round(performance.now() - started) });
    };
    const timer = setTimeout(() => {
      const stage = socket?.connecting !== false ? `no connection to ${where}` : `no ${excerpt(spec.expect ?? '')} from ${where}`;
      finish(false, `${stage} within ${spec.timeoutMs} ms${received ? ` (got ${excerpt(received)})` : ''}`);
    }, spec.timeoutMs);

    try {
      socket = net.connect({ host: spec.host, port: spec.port });
    } catch (e) {
      finish(false, `cannot connect to ${where}: ${(e as Error).message}`);
      return;
    }
    socket.setNoDelay(true);
    socket.on('error', (e) => finish(false, describeNetworkError(e, spec.host, spec.port)));
    socket.on('connect', () => {
      const wanted = spec.expect;
      const done = (): void => {
        if (wanted === undefined || wanted === '') finish(true, `connected to ${where}`);
      };
      if (spec.send !== undefined && spec.send !== '') socket?.write(spec.send, done);
      else done();
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const wanted = spec.expect;
      if (wanted === undefined || wanted === '') return;
      received += chunk;
      if (received.includes(wanted)) finish(true, `${where} answered ${excerpt(wanted)}`);
      else if (received.length > MAX_READ_BYTES) finish(false, `${where} sent ${MAX_READ_BYTES} bytes without ${excerpt(wanted)}`);
    });
    socket.on('end', () => finish(false, `${where} closed the connection before sending ${excerpt(spec.expect ?? '')} (got ${excerpt(received)})`));
    socket.on('close', () => finish(false, `connection to ${where} closed`));
  });
}
