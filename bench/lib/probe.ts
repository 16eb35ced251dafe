import http from 'node:http';
import { delay, waitFor } from './waitFor.js';

// A client that asks the app for its version again and again on fresh connections, as a user
// would, and records every attempt: when it was made, and whether it was answered, refused (nothing
// listening: downtime) or failed otherwise.

export type Outcome = { kind: 'answer'; body: string } | { kind: 'refused' } | { kind: 'error'; code: string };

export interface Attempt {
  /** performance.now() when the connection was opened, and when the outcome was known. */
  startedAt: number;
  endedAt: number;
  outcome: Outcome;
}

/** One GET on its own connection. */
export function getOnce(port: number, path = '/', timeoutMs = 1000): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ kind: 'answer', body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? error.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', code: error.code ?? error.message }),
    );
  });
}

/** `version N` → N; null for anything else. */
export function versionOf(outcome: Outcome): string | null {
  return outcome.kind === 'answer' ? (/^version (\S+)/.exec(outcome.body)?.[1] ?? null) : null;
}

export interface ProbeOptions {
  /** Time between the starts of two attempts (attempts never overlap). */
  intervalMs: number;
  /** Give up (reject) after this long. */
  timeoutMs: number;
  /** Stop once this holds for the attempts so far (the last one included). */
  until: (attempts: readonly Attempt[]) => boolean;
  what: string;
}

/** Probe `port` until `until` holds; resolves with every attempt, in order. */
export async function probeUntil(port: number, options: ProbeOptions): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const startedAt = performance.now();
    const outcome = await getOnce(port);
    attempts.push({ startedAt, endedAt: performance.now(), outcome });
    if (options.until(attempts)) return attempts;
    if (performance.now() > deadline) {
      const last = attempts.at(-1)?.outcome;
      throw new Error(`timed out after ${options.timeoutMs} ms probing port ${port} for ${options.what} (last: ${JSON.stringify(last)})`);
    }
    const wait = startedAt + options.intervalMs - performance.now();
    if (wait > 0) await delay(wait);
  }
}

/** The first attempt answered with `version`, or undefined. */
export function firstServing(attempts: readonly Attempt[], version: string): Attempt | undefined {
  return attempts.find((a) => versionOf(a.outcome) === version);
}

export interface Downtime {
  /** From the start of the first refused attempt to the start of the first answered one after it; 0 when none was refused. */
  ms: number;
  refused: number;
  /** Attempts that neither got an answer nor were refused (reset, timeout). */
  errors: number;
  /** Their error codes (ECONNRESET …), each once. */
  errorCodes: string[];
}

export function downtimeOf(attempts: readonly Attempt[]): Downtime {
  const firstRefused = attempts.findIndex((a) => a.outcome.kind === 'refused');
  const refused = attempts.filter((a) => a.outcome.kind === 'refused').length;
  const failed = attempts.flatMap((a) => (a.outcome.kind === 'error' ? [a.outcome.code] : []));
  const errors = failed.length;
  const errorCodes = [...new Set(failed)];
  if (firstRefused < 0) return { ms: 0, refused, errors, errorCodes };
  const back = attempts.slice(firstRefused).find((a) => a.outcome.kind === 'answer');
  const end = back?.startedAt ?? attempts.at(-1)!.endedAt;
  return { ms: end - attempts[firstRefused]!.startedAt, refused, errors, errorCodes };
}

/** Wait until every port answers a GET. */
export async function waitAnswering(ports: readonly number[], timeoutMs: number, what: string): Promise<void> {
  let pending = [...ports];
  await waitFor(
    async () => {
      const outcomes = await Promise.all(pending.map(async (port) => ({ port, outcome: await getOnce(port) })));
      pending = outcomes.filter((o) => o.outcome.kind !== 'answer').map((o) => o.port);
      return pending.length === 0;
    },
    { timeoutMs, intervalMs: 100, what },
  );
}
