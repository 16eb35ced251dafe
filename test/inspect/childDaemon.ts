// A stand-in daemon as its own process: the built supervisor chart (dist/) with instant fake apps,
// streamed to an inspector, then shut down. Whether the process then exits on its own is the
// proof that the inspector holds nothing open.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appSpec } from '../fixtures/machines/specs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/src/inspect/index.js', import.meta.url));

/**
 * `stop`: huddle's inspector, stopped after the charts; `forget`: huddle's inspector, never
 * stopped; `stock`: the library's createWebSocketInspector, stopped (what huddle avoids).
 */
export type ChildMode = 'stop' | 'forget' | 'stock';

const SCRIPT = String.raw`
import { createActor, fromCallback, fromPromise, waitFor } from 'xstate';
import { createWebSocketInspector } from '@statelyai/inspect';
import { appMachine, supervisorMachine } from './dist/machines/index.js';
import { startInspector } from './dist/src/inspect/index.js';

const [mode, url, specs] = [process.env.MODE, process.env.URL, JSON.parse(process.env.SPECS)];
const say = (fields) => process.stdout.write(JSON.stringify(fields) + '\n');
const logger = { info: (m) => say({ log: m }), warn: (m) => say({ log: m }), debug: () => {} };
const inspector = mode === 'stock' ? createWebSocketInspector({ url }) : startInspector({ url, logger, retryMs: 50 });
const app = appMachine.provide({
  actors: {
    fetchRemote: fromPromise(async () => ({ commit: 'c1' })),
    updateCheckout: fromPromise(async () => undefined),
    healthCheck: fromPromise(async () => ({ ok: true, detail: 'ok' })),
    rolloutSlot: fromPromise(async () => undefined),
    appProcess: fromCallback(({ sendBack, receive }) => {
      sendBack({ type: 'PROCESS.STARTED', pid: 4242 });
      receive(() => sendBack({ type: 'PROCESS.EXITED', code: null, signal: 'SIGTERM' }));
    }),
  },
});
const inspect = typeof inspector.inspect === 'function' ? inspector.inspect : (e) => inspector.inspect.next(e);
const actor = createActor(supervisorMachine.provide({ actors: { app } }), { input: { apps: specs }, inspect });
actor.start();
// Let the inspector try (and, with nobody listening, fail and schedule a retry) a few times.
await new Promise((resolve) => setTimeout(resolve, 300));
actor.send({ type: 'SHUTDOWN' });
await waitFor(actor, (s) => s.status === 'done', { timeout: 5000 });
actor.stop();
const started = performance.now();
if (mode !== 'forget') await inspector.stop();
say({ stopped: true, stopMs: performance.now() - started });
`;

export interface ChildRun {
  lines: Array<Record<string, unknown>>;
  stopMs: number;
  /** Milliseconds from the "stopped" line to the process exit; null if it did not exit in time. */
  exitAfterStopMs: number | null;
  code: number | null;
}

export function builtInspectorMissing(): string | undefined {
  return existsSync(BUILT) ? undefined : `${BUILT} is missing: run \`npm run build\` first`;
}

/** Runs the stand-in daemon; kills it (by PID) if it is still alive `patienceMs` after stopping. */
export async function runChild(mode: ChildMode, url: string, patienceMs: number): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, MODE: mode, URL: url, SPECS: JSON.stringify([appSpec('db'), appSpec('web', { depends: ['db'] })]) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let stoppedAt: number | undefined;
  let buffer = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      if (line.stopped) {
        stoppedAt = performance.now();
        setTimeout(() => child.kill('SIGKILL'), patienceMs).unref();
      }
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  const exitedAt = performance.now();
  if (stoppedAt === undefined) throw new Error(`child never stopped (code ${code}, signal ${signal}): ${stderr}`);
  const stopLine = lines.find((l) => l.stopped)!;
  return {
    lines,
    stopMs: stopLine.stopMs as number,
    exitAfterStopMs: signal === 'SIGKILL' ? null : exitedAt - stoppedAt,
    code,
  };
}
