import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { DaemonProcess, startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { pidServing, refuses, waitForVersion } from '../../fixtures/daemon/http.js';
import { appProcesses, envOf, markedProcesses } from '../../fixtures/daemon/processes.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { DAEMON_NODE_FLAGS } from '../../../src/daemon/nodeFlags.js';
import { hookRecords } from '../../fixtures/daemon/records.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

describe('huddle run: the daemon process', () => {
  it('SIGTERM: the daemon stops every app and exits 0, no process of any app remains', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha');
    const b = await addApp(ws, 'beta', { kind: 'probe' });
    const daemon = await startDaemon(ws);
    const alpha = await daemon.waitHealthy('alpha', a.remote.head);
    const beta = await daemon.waitHealthy('beta', b.remote.head);
    expect(appProcesses(ws.marker).sort()).toEqual([alpha.pid, beta.pid].sort());

    const exit = await daemon.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(markedProcesses(ws.marker)).toEqual([]);
    expect(pidAlive(alpha.pid!)).toBe(false);
    expect(pidAlive(beta.pid!)).toBe(false);
    expect(await refuses(a.url)).toBe(true);
    expect(await refuses(b.url)).toBe(true);
    expect(daemon.logs((l) => l.message === 'huddle stopped').length).toBe(1);
    // Started by hand (no Node options), it said so once.
    expect(daemon.logs((l) => l.message?.startsWith('running without the Node options') === true)).toHaveLength(1);
  });

  it('launched as its launchers launch it (the daemon\'s Node options), it runs its apps and has nothing to say about them', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha');
    const daemon = await startDaemon(ws, { nodeArgs: DAEMON_NODE_FLAGS });
    const alpha = await daemon.waitHealthy('alpha', a.remote.head);
    await waitForVersion(a.url, '1');
    expect(readFileSync(`/proc/${daemon.pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([...DAEMON_NODE_FLAGS]));
    expect(appProcesses(ws.marker)).toEqual([alpha.pid]);
    expect(daemon.logs((l) => l.message?.startsWith('running without the Node options') === true)).toEqual([]);
    expect(await daemon.stop()).toEqual({ code: 0, signal: null });
  });

  it('SIGKILL of the daemon, then a new start: exactly one instance of each app', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha', { kind: 'probe' });
    const b = await addApp(ws, 'beta', { kind: 'probe' });
    const first = await startDaemon(ws);
    const alpha = await first.waitHealthy('alpha', a.remote.head);
    const beta = await first.waitHealthy('beta', b.remote.head);

    first.signal('SIGKILL');
    expect(await first.waitExit()).toEqual({ code: null, signal: 'SIGKILL' });
    // The apps run in process groups of their own: they outlive a killed daemon.
    expect(pidAlive(alpha.pid!)).toBe(true);
    expect(pidAlive(beta.pid!)).toBe(true);

    const second = await startDaemon(ws);
    const alpha2 = await second.waitForApp('alpha', (s) => s.state === 'healthy' && s.pid !== alpha.pid, 'healthy in a new process');
    const beta2 = await second.waitForApp('beta', (s) => s.state === 'healthy' && s.pid !== beta.pid, 'healthy in a new process');
    expect(pidAlive(alpha.pid!)).toBe(false);
    expect(pidAlive(beta.pid!)).toBe(false);
    expect(appProcesses(ws.marker, 'alpha')).toEqual([alpha2.pid]);
    expect(appProcesses(ws.marker, 'beta')).toEqual([beta2.pid]);
    expect(await pidServing(a.url)).toBe(alpha2.pid);
    expect(await pidServing(b.url)).toBe(beta2.pid);
    expect(alpha2.commit).toBe(a.remote.head);
    expect(second.logs((l) => l.event === 'recovery' && l.app === 'alpha').length).toBe(1);

    expect(await second.stop()).toEqual({ code: 0, signal: null });
    expect(markedProcesses(ws.marker)).toEqual([]);
  });

  it('SIGKILL of the daemon while a hook hangs: the next daemon stops the hook and its children first', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', {
      files: { 'hook.sh': 'if [ -f HANG ]; then sleep 600; fi\n' },
      config: { scripts: { 'post-pull': 'sh hook.sh', timeout: 120 } },
    });
    const first = await startDaemon(ws);
    await first.waitHealthy('web', web.remote.head);
    await pushCommit(web.remote, { HANG: 'yes\n' });
    await first.waitForApp('web', (s) => s.state === 'updating', 'running the hanging hook');
    // The hook (sh) and its sleep, found by the hook's own tag in their environment.
    const hook = await waitFor(() => {
      const pids = markedProcesses(ws.marker).filter((pid) => envOf(pid)?.get('HUDDLE_COMMIT') !== undefined);
      return pids.length >= 2 ? pids : null;
    }, { timeoutMs: 10_000, what: 'the hook and its sleep' });
    // Each hook has a record of its own, written as it starts: kill only once it is on disk.
    await waitFor(() => hookRecords(ws.stateDir, 'web').some((record) => hook.includes(record.pid)), {
      timeoutMs: 5_000,
      what: 'the hook recorded for web',
    });

    first.signal('SIGKILL');
    await first.waitExit();
    expect(hook.every((pid) => pidAlive(pid))).toBe(true);

    // The hook is stopped before anything starts; the hung commit is then tried again.
    const second = await startDaemon(ws);
    await second.waitForLog((l) => l.event === 'recovery' && l.app === 'web', 'the hook stopped by recovery');
    await waitFor(() => hook.every((pid) => !pidAlive(pid)), { timeoutMs: 5_000, what: 'the old hook and its sleep gone' });
    await second.stop();
    expect(markedProcesses(ws.marker)).toEqual([]);
  });

  it('a second daemon on the same state dir refuses to start, exit 1, and the first carries on', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const first = await startDaemon(ws);
    const before = await first.waitHealthy('web', web.remote.head);

    const second = new DaemonProcess(ws);
    expect(await second.waitExit(15_000)).toEqual({ code: 1, signal: null });
    const stderr = second.stderr.filter((l) => l.trim() !== '');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain(`another huddle daemon (pid ${first.pid}) is using ${ws.stateDir}`);
    expect(second.logs((l) => l.event === 'state').length).toBe(0);

    expect(first.exitStatus).toBeNull();
    const after = await first.waitHealthy('web');
    expect(after.pid).toBe(before.pid);
    expect(appProcesses(ws.marker, 'web')).toEqual([before.pid]);
    await waitForVersion(web.url, '1');
    await waitFor(async () => (await first.status()).apps.length === 1, { timeoutMs: 2000, what: 'the first daemon to answer' });
  });
});
