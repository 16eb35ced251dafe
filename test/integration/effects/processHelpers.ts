import type { AppProcess, AppProcessSpec } from '../../../src/process/index.js';
import { startAppProcess } from '../../../src/process/index.js';
import { killAll, processesWithEnv } from '../../fixtures/apps/processes.js';
import { PROCESS_TAG_VAR } from '../../../src/process/index.js';

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
