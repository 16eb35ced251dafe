import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { checkoutHead } from '../../fixtures/daemon/checkout.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { httpGet, pidServing, versionServed, waitForVersion } from '../../fixtures/daemon/http.js';
import { appProcesses } from '../../fixtures/daemon/processes.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { deleteRemote, pushCommit, restoreRemote } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

describe('huddle run: supervising the apps', () => {
  it('kill -9 of the app: restarted by the policy, serving again, restarts counted', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { kind: 'probe' });
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', web.remote.head);
    expect(await pidServing(web.url)).toBe(before.pid);

    process.kill(before.pid!, 'SIGKILL');
    const after = await daemon.waitForApp(
      'web',
      (a) => a.state === 'healthy' && a.pid !== null && a.pid !== before.pid && a.restarts >= 1,
      'restarted with a new pid',
    );
    expect(after.restarts).toBe(before.restarts + 1);
    expect(after.commit).toBe(web.remote.head);
    expect(pidAlive(before.pid!)).toBe(false);
    await waitFor(async () => (await pidServing(web.url)) === after.pid, { timeoutMs: 5000, what: 'the new process to answer' });
    expect(appProcesses(ws.marker, 'web')).toEqual([after.pid]);
    expect(daemon.logs((l) => l.app === 'web' && l.to === 'unhealthy').length).toBeGreaterThan(0);
  });

  it('a failing health check restarts the app', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { kind: 'probe' });
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', web.remote.head);

    // The process keeps running and answering /, only its /health fails from now on.
    expect((await httpGet(`${web.url}break`)).status).toBe(200);
    expect((await httpGet(`${web.url}health`)).status).toBe(503);
    const after = await daemon.waitForApp(
      'web',
      (a) => a.state === 'healthy' && a.pid !== null && a.pid !== before.pid,
      'restarted after failed health checks',
    );
    expect(after.restarts).toBe(before.restarts + 1);
    expect(pidAlive(before.pid!)).toBe(false);
    expect((await httpGet(`${web.url}health`)).status).toBe(200);
    expect(await pidServing(web.url)).toBe(after.pid);
    const unhealthy = daemon.logs((l) => l.app === 'web' && l.to === 'unhealthy');
    expect(unhealthy.length).toBe(1);
    expect(String(unhealthy[0]!.reason)).toMatch(/health/);
  });

  it('remote deleted: the app keeps running, status shows the error, a later push deploys', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', web.remote.head);

    await deleteRemote(web.remote);
    const failing = await daemon.waitForApp('web', (a) => a.error !== null, 'a fetch error in status');
    expect(failing.error).toMatch(/fetch failed/);
    // Several failed polls later: same process, still serving, still healthy.
    const errors = () => daemon.logs((l) => l.app === 'web' && l.to === 'healthy' && String(l.reason).includes('error')).length;
    await waitFor(() => errors() >= 2, { timeoutMs: 10_000, what: 'two failed polls' });
    const during = await daemon.waitHealthy('web');
    expect(during).toMatchObject({ pid: before.pid, commit: web.remote.head, restarts: 0 });
    expect(during.error).toMatch(/fetch failed/);
    expect(await versionServed(web.url)).toBe('1');

    await restoreRemote(web.remote);
    const pushed = await pushCommit(web.remote, { VERSION: '2\n' });
    await waitForVersion(web.url, '2');
    const after = await daemon.waitHealthy('web', pushed);
    expect(after.error).toBeNull();
  });

  it('local changes in the checkout are kept: the update is refused and reported, the old version serves', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { files: { 'NOTES.md': 'shipped notes\n' } });
    const daemon = await startDaemon(ws);
    const first = web.remote.head;
    await daemon.waitHealthy('web', first);

    const notes = join(web.checkout, 'NOTES.md');
    await writeFile(notes, 'an operator edited this on the device\n');
    const pushed = await pushCommit(web.remote, { VERSION: '2\n', 'NOTES.md': 'new notes\n' });

    const refused = await daemon.waitForApp('web', (a) => a.error !== null && /local changes/.test(a.error), 'the refused update in status');
    expect(refused.error).toContain('NOTES.md');
    expect(refused.error).toContain(pushed.slice(0, 7));
    expect(await readFile(notes, 'utf8')).toBe('an operator edited this on the device\n');
    expect(await checkoutHead(web.checkout)).toBe(first);

    // Nothing lost, nothing half-updated: the old version keeps serving.
    await waitForVersion(web.url, '1', 5000);
    const now = await daemon.waitForApp('web', (a) => a.state === 'healthy', 'healthy on the old commit', 5000);
    expect(now.commit).toBe(first);
    expect(now.error).toMatch(/local changes/);
    expect(appProcesses(ws.marker, 'web')).toEqual([now.pid]);
  });

  it('an update looks for local changes once, before the stop, not again while the app is down', async () => {
    const ws = await makeWorkspace();
    const gitLog = join(ws.root, 'git-calls.log');
    const shim = join(ws.root, 'git-shim.sh');
    await writeFile(shim, `#!/bin/sh\necho "$*" >> '${gitLog}'\nexec git "$@"\n`, { mode: 0o755 });
    const web = await addApp(ws, 'web', { config: { repository: { executable: shim } } });
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', web.remote.head);
    await writeFile(gitLog, '');

    const pushed = await pushCommit(web.remote, { VERSION: '2\n' });
    await daemon.waitHealthy('web', pushed);
    await waitForVersion(web.url, '2', 5000);
    const calls = (await readFile(gitLog, 'utf8')).split('\n').filter((l) => l !== '');
    expect(calls.filter((c) => /\bstatus\b/.test(c))).toHaveLength(1);
    const status = calls.findIndex((c) => /\bstatus\b/.test(c));
    expect(status).toBeLessThan(calls.findIndex((c) => /\bcheckout\b/.test(c)));
  });
});
