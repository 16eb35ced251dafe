import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROCESS_TAG_VAR, processStartTime, stopRecordedProcess } from '../../../src/process/index.js';
import { appPath } from '../../fixtures/apps/paths.js';
import { pidAlive, processesWithEnv } from '../../fixtures/apps/processes.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { baseEnv, cleanupProcesses, readPids, trackPid, trackTag } from './processHelpers.js';

afterEach(async () => {
  await cleanupProcesses();
  await removeTempDirs();
});

/** An app as an earlier daemon run would have left it: its own group, a tag, a grandchild. */
async function leftOverApp(extra: Record<string, string> = {}): Promise<{ pid: number; startTime: number; tag: string; grandchild: number }> {
  const dir = await makeTempDir();
  const pidFile = join(dir, 'pids.json');
  const tag = `test-${process.pid}-${Date.now()}-${Math.random()}`;
  trackTag(tag);
  const child = spawn(process.execPath, [appPath('spawn-grandchild.mjs')], {
    cwd: dir,
    env: baseEnv({ PID_FILE: pidFile, [PROCESS_TAG_VAR]: tag, ...extra }),
    stdio: 'ignore',
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawn failed');
  trackPid(pid);
  const pids = await waitFor(() => readPids(pidFile), { timeoutMs: 10_000, what: 'the pid file' });
  trackPid(pids.grandchild);
  return { pid, startTime: processStartTime(pid) ?? -1, tag, grandchild: pids.grandchild };
}

describe('stopRecordedProcess (recovery after the daemon was killed)', () => {
  it('stops the recorded process and its tree when PID and start time match', async () => {
    const app = await leftOverApp({ PARENT_IGNORES_SIGTERM: '1' });
    expect(await stopRecordedProcess(app.pid, app.startTime, 'SIGTERM', 200)).toBe(true);
    expect(pidAlive(app.pid)).toBe(false);
    expect(pidAlive(app.grandchild)).toBe(false);
    expect(processesWithEnv(PROCESS_TAG_VAR, app.tag)).toEqual([]);
  });

  it('never touches a PID whose start time differs (a reused PID)', async () => {
    const app = await leftOverApp();
    expect(await stopRecordedProcess(app.pid, app.startTime - 1, 'SIGTERM', 200)).toBe(false);
    expect(pidAlive(app.pid)).toBe(true);
    expect(pidAlive(app.grandchild)).toBe(true);
  });

  it('with the recorded tag, stops what an app left behind after its own process died', async () => {
    const app = await leftOverApp({ GRANDCHILD_DETACHED: '1' });
    process.kill(app.pid, 'SIGKILL');
    await waitFor(() => !pidAlive(app.pid), { timeoutMs: 5000, what: 'the app process to die' });
    // Without the tag, nothing proves the orphan is ours.
    expect(await stopRecordedProcess(app.pid, app.startTime, 'SIGTERM', 200)).toBe(false);
    expect(pidAlive(app.grandchild)).toBe(true);
    expect(await stopRecordedProcess(app.pid, app.startTime, 'SIGTERM', 200, app.tag)).toBe(true);
    expect(pidAlive(app.grandchild)).toBe(false);
  });

  it('returns false when nothing is left', async () => {
    const app = await leftOverApp();
    process.kill(-app.pid, 'SIGKILL');
    await waitFor(() => !pidAlive(app.pid) && !pidAlive(app.grandchild), { timeoutMs: 5000, what: 'the group to die' });
    expect(await stopRecordedProcess(app.pid, app.startTime, 'SIGTERM', 200, app.tag)).toBe(false);
  });
});
