// `depends` end to end with real processes: a web app whose database app must be healthy first;
// on shutdown the reverse; a database that keeps failing holds web in a visible waiting state.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../fixtures/daemon/cli.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon, type LogLine } from '../../fixtures/daemon/daemonProcess.js';
import { appProcesses } from '../../fixtures/daemon/processes.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { isTransition, orderedServerSource, writeAppConfigWith } from '../../fixtures/release/appConfig.js';

cleanUpAfterEach();

/** Position of the first line matching `cond` in the daemon's log (stdout keeps the order). */
function firstIndex(lines: LogLine[], cond: (l: LogLine) => boolean, what: string): number {
  const index = lines.findIndex(cond);
  if (index < 0) throw new Error(`no log line: ${what}`);
  return index;
}

describe('dependency order', () => {
  it('web starts once db is healthy, and stops before db on SIGTERM', async () => {
    const ws = await makeWorkspace();
    const order = join(ws.root, 'order.log');
    const server = { 'server.mjs': await orderedServerSource() };
    await addApp(ws, 'db', { files: server, env: { ORDER_LOG: order } });
    const web = await addApp(ws, 'web', { files: server, env: { ORDER_LOG: order }, write: false });
    await writeAppConfigWith(web, { depends: ['db'] });
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web');
    const dbStatus = await daemon.app('db');
    expect(dbStatus?.state).toBe('healthy');

    const lines = daemon.lines;
    const dbHealthy = firstIndex(lines, isTransition('db', 'healthy'), 'db healthy');
    const webStarting = firstIndex(lines, isTransition('web', 'starting'), 'web starting');
    const webFetching = firstIndex(lines, isTransition('web', 'fetching'), 'web fetching');
    const timeOf = (index: number) => Date.parse(String(lines[index]?.time));
    // web's process starts after db is healthy. (Its release from `waiting` happens in the same
    // step as db's `healthy`, and is logged just before it: xstate reports the supervisor's and
    // web's reaction before the snapshot of db that caused it.)
    expect(webStarting).toBeGreaterThan(dbHealthy);
    expect(timeOf(webStarting)).toBeGreaterThanOrEqual(timeOf(dbHealthy));
    // Held until then, in a state an operator can see.
    expect(firstIndex(lines, isTransition('web', 'waiting'), 'web waiting')).toBeLessThan(dbHealthy);
    expect(firstIndex(lines, (l) => l.app === 'web' && l.event === 'state' && l.from === 'waiting', 'web leaving waiting')).toBe(webFetching);

    const exit = await daemon.stop();
    expect(exit.code).toBe(0);
    // The processes themselves: web was gone before db was asked to stop.
    expect((await readFile(order, 'utf8')).split('\n').filter(Boolean)).toEqual([
      'db started', 'web started', 'web sigterm', 'web exited', 'db sigterm', 'db exited',
    ]);
    // In the daemon's log too. (db's `stopping` can be logged just before web's `off`, which
    // caused it, for the same reason as above.)
    const webStopping = firstIndex(lines, isTransition('web', 'stopping'), 'web stopping');
    const dbStopping = firstIndex(lines, isTransition('db', 'stopping'), 'db stopping');
    const webOff = firstIndex(lines, isTransition('web', 'off'), 'web off');
    expect(webStopping).toBeLessThan(dbStopping);
    expect(firstIndex(lines, isTransition('db', 'off'), 'db off')).toBeGreaterThan(webOff);
    expect(appProcesses(ws.marker)).toEqual([]);
  });

  it('a db that keeps failing holds web waiting, and the status says it waits for db', async () => {
    const ws = await makeWorkspace();
    await addApp(ws, 'db', {
      files: { 'server.mjs': 'console.error("db: cannot open the data dir"); process.exit(1);\n' },
      config: { restart: { limit: { restarts: 2, window: 60 } } },
    });
    const web = await addApp(ws, 'web', { write: false });
    await writeAppConfigWith(web, { depends: ['db'] });
    const daemon = await startDaemon(ws);

    // While db fails (restarting, then given up on), web is held and never started.
    const dbFailed = await daemon.waitForApp('db', (a) => a.state === 'failed', 'failed', 20_000);
    expect(dbFailed.error).toContain('process exited with code 1');
    const held = await daemon.app('web');
    expect(held?.state).toBe('waiting');
    expect(held?.pid).toBeNull();
    expect(daemon.logs(isTransition('web', 'starting'))).toHaveLength(0);
    expect(appProcesses(ws.marker, 'web')).toEqual([]);
    // What it waits for is visible: in `huddle status --json` and in the table.
    expect.soft(JSON.stringify(held)).toMatch(/\bdb\b/);
    const table = await runCli(ws, ['status', '--state-dir', ws.stateDir]);
    expect(table.code).toBe(0);
    const webRow = table.stdout.split('\n').find((row) => /^\s*web\b/.test(row)) ?? '';
    expect(webRow).toContain('waiting');
    expect.soft(webRow).toMatch(/\bdb\b/);
  });
});
