import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpCheck } from '../../../src/health/index.js';
import { PROCESS_TAG_VAR, ProcessStartError, processStartTime, startAppProcess } from '../../../src/process/index.js';
import { appPath } from '../../fixtures/apps/paths.js';
import { freePort } from '../../fixtures/apps/ports.js';
import { pidAlive, processesWithEnv } from '../../fixtures/apps/processes.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { appWithGrandchild, baseEnv, cleanupProcesses, readPids, startTracked } from './processHelpers.js';

afterEach(async () => {
  await cleanupProcesses();
  await removeTempDirs();
});

/** An app expected to exit on its own: its log is `<dir>/<app>.log`, and it gets 1 s to stop. */
function startShortLived(dir: string, app: string, command: string, env = baseEnv()): ReturnType<typeof startTracked> {
  return startTracked({ app, command, cwd: dir, env, logFile: join(dir, `${app}.log`), stopSignal: 'SIGTERM', stopTimeoutMs: 1000 });
}

describe('app processes', () => {
  it('starts an app in its own group, logs its output, and stops it with the stop signal', async () => {
    const dir = await makeTempDir();
    const port = await freePort();
    const logFile = join(dir, 'logs', 'web.log');
    const app = startTracked({
      app: 'web',
      command: `node ${appPath('version-server.mjs')}`,
      cwd: dir,
      env: baseEnv({ PORT: String(port), VERSION: '7' }),
      logFile,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5000,
    });
    expect(app.startTime).toBe(processStartTime(app.pid));
    await waitFor(async () => (await httpCheck({ url: `http://127.0.0.1:${port}/`, status: { min: 200, max: 299 }, body: 'version 7', timeoutMs: 500 })).ok, {
      timeoutMs: 10_000,
      what: 'the app to answer',
    });
    // exec'd into: the PID huddle watches is the app itself, leading its own group.
    expect(readFileSync(`/proc/${app.pid}/cmdline`, 'utf8')).toContain('version-server.mjs');
    expect(Number(readFileSync(`/proc/${app.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[2])).toBe(app.pid);

    const exit = await app.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(pidAlive(app.pid)).toBe(false);
    expect(await app.stop()).toEqual(exit);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('version 7 listening');
    expect(log).toContain('SIGTERM: closing');
  });

  it('records the exit code of an app that exits at once', async () => {
    const dir = await makeTempDir();
    const app = startShortLived(dir, 'broken', `node ${appPath('exit-at-once.mjs')}`, baseEnv({ EXIT_CODE: '3' }));
    expect(await app.exited).toEqual({ code: 3, signal: null });
    expect(readFileSync(join(dir, 'broken.log'), 'utf8')).toContain('giving up');
  });

  it('runs compound commands through the shell', async () => {
    const dir = await makeTempDir();
    const app = startShortLived(dir, 'shell', 'echo "in $PWD" && exit 4');
    expect(await app.exited).toEqual({ code: 4, signal: null });
    expect(readFileSync(join(dir, 'shell.log'), 'utf8')).toContain(`in ${dir}`);
  });

  it('starts a plain command without the shell, in the environment the shell would give it', async () => {
    const dir = await makeTempDir();
    const printEnv = `'${process.execPath}' -e "process.stdout.write(JSON.stringify(process.env))"`;
    const viaShell = join(dir, 'shell.env');
    // The same program, once as a plain command and once behind a redirection (so through the shell).
    for (const [app, command] of [['direct', printEnv], ['shell', `${printEnv} > ${viaShell}`]] as const) {
      const started = startShortLived(dir, app, command, baseEnv({ PWD: '/' }));
      expect(await started.exited).toEqual({ code: 0, signal: null });
    }
    const seen = (text: string): Record<string, string> => {
      const { [PROCESS_TAG_VAR]: tag, ...rest } = JSON.parse(text) as Record<string, string>;
      expect(tag).toMatch(/^[0-9a-f-]{36}$/);
      return rest;
    };
    expect(seen(readFileSync(join(dir, 'direct.log'), 'utf8'))).toEqual(seen(readFileSync(viaShell, 'utf8')));
    expect(seen(readFileSync(viaShell, 'utf8')).PWD).toBe(dir);
  });

  it('a program that cannot be found fails as through the shell: exit 127, the reason in its log', async () => {
    const dir = await makeTempDir();
    const app = startShortLived(dir, 'missing', 'no-such-program-for-huddle --port 1');
    expect(await app.exited).toEqual({ code: 127, signal: null });
    expect(readFileSync(join(dir, 'missing.log'), 'utf8')).toMatch(/no-such-program-for-huddle: not found/);
  });

  it('kills an app that ignores SIGTERM after the stop timeout, with its whole tree', async () => {
    const dir = await makeTempDir();
    const pidFile = join(dir, 'pids.json');
    const app = startTracked({
      app: 'stubborn',
      command: `node ${appPath('spawn-grandchild.mjs')}`,
      cwd: dir,
      env: baseEnv({ PID_FILE: pidFile, PARENT_IGNORES_SIGTERM: '1' }),
      logFile: join(dir, 'stubborn.log'),
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 300,
    });
    const pids = await waitFor(() => readPids(pidFile), { timeoutMs: 10_000, what: 'the pid file' });
    await waitFor(() => readFileSync(join(dir, 'stubborn.log'), 'utf8').includes(`ignore-sigterm ${pids.grandchild}: running`), {
      timeoutMs: 10_000,
      what: 'the grandchild to run',
    });
    const started = Date.now();
    const exit = await app.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(pidAlive(pids.parent)).toBe(false);
    expect(pidAlive(pids.grandchild)).toBe(false);
    expect(processesWithEnv(PROCESS_TAG_VAR, app.tag)).toEqual([]);
    expect(readFileSync(join(dir, 'stubborn.log'), 'utf8')).toContain('ignoring SIGTERM');
  });

  it('stops a grandchild that left the process group (its own session)', async () => {
    const { app, pids } = await appWithGrandchild('daemonizer', true);
    expect(await app.stop()).toEqual({ code: 0, signal: null });
    expect(pidAlive(pids.grandchild)).toBe(false);
    expect(processesWithEnv(PROCESS_TAG_VAR, app.tag)).toEqual([]);
  });

  it('an app that dies on its own leaves no grandchild behind before `exited` resolves', async () => {
    const { app, pids } = await appWithGrandchild('crasher', false);
    process.kill(pids.parent, 'SIGKILL');
    expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(pidAlive(pids.grandchild)).toBe(false);
    expect(processesWithEnv(PROCESS_TAG_VAR, app.tag)).toEqual([]);
  });

  it('an app that dies on its own leaves no orphan of its own session behind (found by its tag once adopted)', async () => {
    const { app, pids, dir } = await appWithGrandchild('crasher', true);
    // Another app running meanwhile: its processes are passed over without a look at their environment.
    const neighbour = startTracked({
      app: 'neighbour', command: 'sleep 30', cwd: dir, env: baseEnv(), logFile: join(dir, 'n.log'), stopSignal: 'SIGTERM', stopTimeoutMs: 300,
    });
    process.kill(pids.parent, 'SIGKILL');
    expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(pidAlive(pids.grandchild)).toBe(false);
    expect(processesWithEnv(PROCESS_TAG_VAR, app.tag)).toEqual([]);
    expect(pidAlive(neighbour.pid)).toBe(true);
  });

  it('kill() ends the whole tree at once', async () => {
    const dir = await makeTempDir();
    const pidFile = join(dir, 'pids.json');
    const app = startTracked({
      app: 'shutdown',
      command: `node ${appPath('spawn-grandchild.mjs')}`,
      cwd: dir,
      env: baseEnv({ PID_FILE: pidFile, PARENT_IGNORES_SIGTERM: '1' }),
      logFile: join(dir, 's.log'),
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 60_000,
    });
    const pids = await waitFor(() => readPids(pidFile), { timeoutMs: 10_000, what: 'the pid file' });
    const started = Date.now();
    app.kill();
    expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(pidAlive(pids.grandchild)).toBe(false);
  });

  it('keeps reading an app that prints megabytes and rotates its log by size', async () => {
    const dir = await makeTempDir();
    const logFile = join(dir, 'chatty.log');
    const app = startTracked({
      app: 'chatty',
      command: `node ${appPath('chatty.mjs')}`,
      cwd: dir,
      env: baseEnv({ CHATTY_BYTES: String(8 * 1024 * 1024) }),
      logFile,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 1000,
      logMaxBytes: 1024 * 1024,
      logFiles: 3,
    });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    for (const f of [logFile, `${logFile}.1`, `${logFile}.2`, `${logFile}.3`]) {
      expect(existsSync(f)).toBe(true);
      expect(statSync(f).size).toBeLessThanOrEqual(1024 * 1024);
    }
    expect(existsSync(`${logFile}.4`)).toBe(false);
    expect(statSync(`${logFile}.1`).size).toBeGreaterThan(1024 * 1024 - 200);
    // stdout and stderr are two pipes, read side by side: the end of stderr's pipe may be read
    // after `done` reached stdout, and rotate it into `.1` (seen on a loaded CI run).
    const newest = readFileSync(`${logFile}.1`, 'utf8') + readFileSync(logFile, 'utf8');
    expect(newest).toContain('done\n');
    expect(newest.endsWith('\n')).toBe(true);
    // The tail was read whole: the last batch (64 copies of the last line) of the stream that
    // finished last is there (the two streams do not keep in step: the other may end MBs back).
    const lineBytes = 'line 000000000 '.length + 80 + 1;
    const last = `line ${String(Math.ceil((4 * 1024 * 1024) / (lineBytes * 64)) - 1).padStart(9, '0')} `;
    expect(newest.split(last).length - 1).toBeGreaterThanOrEqual(64);
    // Split at line ends: every kept file starts with a whole line.
    expect(readFileSync(`${logFile}.1`, 'utf8').slice(0, 5)).toBe('line ');
  }, 30_000);

  it('refuses to start in a missing directory with a clear error', async () => {
    const dir = await makeTempDir();
    expect(() =>
      startAppProcess({
        app: 'lost',
        command: 'true',
        cwd: join(dir, 'missing'),
        env: baseEnv(),
        logFile: join(dir, 'lost.log'),
        stopSignal: 'SIGTERM',
        stopTimeoutMs: 1000,
      }),
    ).toThrow(ProcessStartError);
  });
});
