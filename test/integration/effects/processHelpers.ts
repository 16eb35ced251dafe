import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppProcess, AppProcessSpec } from '../../../src/process/index.js';
import { startAppProcess } from '../../../src/process/index.js';
import { killAll, processesWithEnv } from '../../fixtures/apps/processes.js';
import { PROCESS_TAG_VAR } from '../../../src/process/index.js';
import { appPath } from '../../fixtures/apps/paths.js';
import { makeTempDir } from '../../fixtures/git/tempDirs.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

const started: AppProcess[] = [];
const tags = new Set<string>();
const pids = new Set<number>();

/** startAppProcess, remembered for cleanupProcesses(). */
export function startTracked(spec: AppProcessSpec): AppProcess {
  const app = startAppProcess(spec);
  started.push(app);
  tags.add(app.tag);
  return app;
}

/** Remember a tag or PID the test created some other way, for cleanupProcesses(). */
export function trackTag(tag: string): void {
  tags.add(tag);
}
export function trackPid(pid: number): void {
  pids.add(pid);
}

/** Kill everything a test started (even if an assertion failed half-way) and wait for it. */
export async function cleanupProcesses(): Promise<void> {
  const apps = started.splice(0);
  for (const app of apps) app.kill();
  for (const tag of tags) killAll(processesWithEnv(PROCESS_TAG_VAR, tag));
  killAll(pids);
  tags.clear();
  pids.clear();
  await Promise.all(apps.map((a) => a.exited));
}

export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

/** The `{"parent", "grandchild"}` that spawn-grandchild.mjs writes, once it is there. */
export function readPids(file: string): { parent: number; grandchild: number } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { parent: number; grandchild: number };
  } catch {
    return undefined;
  }
}

/**
 * An app whose process starts a grandchild that ignores SIGTERM (in a session of its own when
 * `detached`), both running their own code: the grandchild's SIGTERM handler is set.
 */
export async function appWithGrandchild(name: string, detached: boolean) {
  const dir = await makeTempDir();
  const pidFile = join(dir, 'pids.json');
  const logFile = join(dir, `${name}.log`);
  const app = startTracked({
    app: name,
    command: `node ${appPath('spawn-grandchild.mjs')}`,
    cwd: dir,
    env: baseEnv({ PID_FILE: pidFile, ...(detached ? { GRANDCHILD_DETACHED: '1' } : {}) }),
    logFile,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 300,
  });
  const pids = await waitFor(() => readPids(pidFile), { timeoutMs: 10_000, what: 'the pid file' });
  await waitFor(() => readFileSync(logFile, 'utf8').includes(`ignore-sigterm ${pids.grandchild}: running`), {
    timeoutMs: 10_000,
    what: 'the grandchild to run',
  });
  return { app, pids, dir };
}
