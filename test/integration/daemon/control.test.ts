import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { appCommand, runCli } from '../../fixtures/daemon/cli.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { pidServing, refuses, versionServed, waitForVersion } from '../../fixtures/daemon/http.js';
import { appProcesses } from '../../fixtures/daemon/processes.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

describe('huddle control commands', () => {
  it('huddle status with no daemon prints one line and exits 1', async () => {
    const ws = await makeWorkspace();
    for (const args of [['status'], ['status', '--json'], ['poll', 'web']]) {
      const result = await runCli(ws, [...args, '--state-dir', ws.stateDir]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^[^\n]+\n$/);
      expect(result.stderr).toContain('huddle daemon is not running');
      expect(result.stderr).toContain(ws.stateDir);
    }
  });

  it('an app command with anything unusual gets the full parser: its help and its errors', async () => {
    const ws = await makeWorkspace();
    const help = await runCli(ws, ['poll', 'web', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: huddle poll [options] <app>');
    const missing = await runCli(ws, ['deploy', 'web']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing required argument 'commit'");
    const unknown = await runCli(ws, ['poll', 'web', '--nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown option '--nope'");
  });

  it('poll, restart, stop and start work through the CLI', async () => {
    const ws = await makeWorkspace();
    // Polls only when told to: a push is served only after `huddle poll`.
    const web = await addApp(ws, 'web', { kind: 'probe', config: { timing: { minimum: 600, maximum: 600 } } });
    const other = await addApp(ws, 'other', { kind: 'probe', config: { timing: { minimum: 600, maximum: 600 } } });
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', web.remote.head);
    const bystander = await daemon.waitHealthy('other', other.remote.head);

    // poll: the push is fetched and deployed now.
    const pushed = await pushCommit(web.remote, { VERSION: '2\n' });
    const poll = await appCommand(ws, 'poll', 'web');
    expect(poll).toMatchObject({ code: 0, stderr: '' });
    expect(poll.stdout).toContain('web');
    await waitForVersion(web.url, '2');
    const polled = await daemon.waitHealthy('web', pushed);

    // restart: a new process on the same commit.
    const restart = await appCommand(ws, 'restart', 'web');
    expect(restart.code).toBe(0);
    const restarted = await daemon.waitForApp('web', (a) => a.state === 'healthy' && a.pid !== null && a.pid !== polled.pid, 'restarted');
    expect(restarted.commit).toBe(pushed);
    expect(pidAlive(polled.pid!)).toBe(false);
    await waitFor(async () => (await pidServing(web.url)) === restarted.pid, { timeoutMs: 5000, what: 'the restarted process to answer' });

    // stop: the process is gone and stays gone.
    const stop = await appCommand(ws, 'stop', 'web');
    expect(stop.code).toBe(0);
    const stopped = await daemon.waitForApp('web', (a) => a.state === 'stopped', 'stopped');
    expect(stopped.pid).toBeNull();
    await waitFor(() => !pidAlive(restarted.pid!), { timeoutMs: 5000, what: 'the process to end' });
    expect(await refuses(web.url)).toBe(true);
    expect(appProcesses(ws.marker, 'web')).toEqual([]);
    const status = await runCli(ws, ['status', '--json', '--state-dir', ws.stateDir]);
    expect(JSON.parse(status.stdout)).toMatchObject({ apps: expect.arrayContaining([expect.objectContaining({ name: 'web', state: 'stopped' })]) });

    // start: back, on the commit it had.
    const start = await appCommand(ws, 'start', 'web');
    expect(start.code).toBe(0);
    const started = await daemon.waitHealthy('web', pushed);
    expect(await versionServed(web.url)).toBe('2');
    expect(appProcesses(ws.marker, 'web')).toEqual([started.pid]);

    // The other app saw none of it.
    expect((await daemon.waitHealthy('other')).pid).toBe(bystander.pid);

    // An unknown app: one line, exit 1.
    const unknown = await appCommand(ws, 'restart', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^[^\n]*unknown app "nope"[^\n]*\n$/);
  });
});
