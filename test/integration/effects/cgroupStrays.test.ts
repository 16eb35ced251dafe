import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroup2Root, currentCgroupDir, ownCgroupPath } from '../../../src/process/cgroup.js';
import { PROCESS_TAG_VAR } from '../../../src/process/index.js';
import { pidAlive, processesWithEnv } from '../../fixtures/apps/processes.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { appWithGrandchild, cleanupProcesses, trackPid } from './processHelpers.js';

// Under systemd the daemon runs in a cgroup of its own, and an app's strays are looked for among
// that cgroup's members only. This file puts its own worker (one process per file: vitest's forks
// pool) in a cgroup of its own, as systemd would, and moves it back at the end. It needs root and
// a writable cgroup v2; elsewhere the /proc scan that appProcess.test.ts covers is what runs.

const ownCgroup = (): string => ownCgroupPath() ?? '/';

const root = cgroup2Root();
let usable = false;
if (process.getuid?.() === 0 && root !== undefined) {
  try {
    const probe = `${root}${ownCgroup().replace(/\/$/, '')}/huddle-test-probe-${process.pid}`;
    mkdirSync(probe);
    rmdirSync(probe);
    usable = true;
  } catch {
    usable = false;
  }
}

describe.skipIf(!usable)('strays looked for in the daemon\'s cgroup', () => {
  let original = '';
  let unit = '';
  let elsewhere = '';

  const moveTo = (dir: string, pid: number): void => writeFileSync(join(dir, 'cgroup.procs'), String(pid));

  beforeAll(() => {
    original = `${root}${ownCgroup().replace(/\/$/, '')}`;
    unit = join(original, `huddle-test-unit-${process.pid}`);
    elsewhere = join(original, `huddle-test-other-${process.pid}`);
    mkdirSync(unit);
    mkdirSync(elsewhere);
    moveTo(unit, process.pid);
  });

  afterAll(async () => {
    await cleanupProcesses();
    await removeTempDirs();
    moveTo(original, process.pid);
    await waitFor(
      () => {
        for (const dir of [join(unit, 'below'), unit, elsewhere]) {
          try {
            rmdirSync(dir);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
          }
        }
        return true;
      },
      { timeoutMs: 10_000, what: 'the test cgroups to empty' },
    );
  });

  it('knows the cgroup it runs in', () => {
    expect(currentCgroupDir()).toBe(unit);
  });

  it('an app that dies leaves no orphan of its own session behind, in the cgroup or in one below it', async () => {
    const { app, pids } = await appWithGrandchild('crasher', true);
    mkdirSync(join(unit, 'below'), { recursive: true });
    moveTo(join(unit, 'below'), pids.grandchild);
    process.kill(pids.parent, 'SIGKILL');
    expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(pidAlive(pids.grandchild)).toBe(false);
    expect(processesWithEnv(PROCESS_TAG_VAR, app.tag)).toEqual([]);
  });

  it('a member of the app\'s process group moved to another cgroup (su under pam_systemd) is still waited for and killed', async () => {
    const { app, pids } = await appWithGrandchild('grouped', false);
    trackPid(pids.grandchild);
    moveTo(elsewhere, pids.grandchild);
    // The grandchild ignores SIGTERM: the stop must end in a SIGKILL of the group.
    await app.stop();
    expect(pidAlive(pids.grandchild)).toBe(false);
  });

  it('leaves alone a process the app handed to another cgroup (another manager\'s now, as systemd counts it)', async () => {
    const { app, pids } = await appWithGrandchild('handover', true);
    trackPid(pids.grandchild);
    moveTo(elsewhere, pids.grandchild);
    process.kill(pids.parent, 'SIGKILL');
    expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(pidAlive(pids.grandchild)).toBe(true);
    process.kill(pids.grandchild, 'SIGKILL');
    await waitFor(() => !pidAlive(pids.grandchild), { timeoutMs: 5000, what: 'the handed-over process to end' });
  });
});
