import { existsSync } from 'node:fs';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { checkoutHead, gitStoreSnapshot } from '../../fixtures/daemon/checkout.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { runCli } from '../../fixtures/daemon/cli.js';
import { startDaemon, type LogLine } from '../../fixtures/daemon/daemonProcess.js';
import { versionServed, waitForVersion } from '../../fixtures/daemon/http.js';
import { appProcesses } from '../../fixtures/daemon/processes.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

const enteredFetching = (app: string) => (line: LogLine) => line.app === app && line.event === 'state' && line.to === 'fetching';

describe('huddle run: deploying from git', () => {
  it('first deploy: clones, starts the app, serves version 1, status is healthy on the full commit id', async () => {
    const ws = await makeWorkspace();
    // No poll during the test: the status stays `healthy` (a poll passes through `fetching`).
    const web = await addApp(ws, 'web', { config: { timing: { minimum: 600, maximum: 600 } } });
    const daemon = await startDaemon(ws);

    const status = await daemon.waitHealthy('web', web.remote.head);
    expect(status.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(status.commit).toBe(web.remote.head);
    expect(status.restarts).toBe(0);
    expect(status.error).toBeNull();
    expect(status.health).toMatch(/^passing/);
    expect(pidAlive(status.pid!)).toBe(true);
    expect(appProcesses(ws.marker, 'web')).toEqual([status.pid]);
    await waitForVersion(web.url, '1');
    expect(await checkoutHead(web.checkout)).toBe(web.remote.head);

    // The CLI reads the same status through the control socket.
    const cli = await runCli(ws, ['status', '--json', '--state-dir', ws.stateDir]);
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout) as { apps: Array<Record<string, unknown>> };
    expect(json.apps).toHaveLength(1);
    expect(json.apps[0]).toMatchObject({ name: 'web', state: 'healthy', commit: web.remote.head, pid: status.pid });
    const table = await runCli(ws, ['status', '--state-dir', ws.stateDir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('web');
    expect(table.stdout).toContain('healthy');

    // One log line per event, with the app name and its short commit.
    const started = daemon.logs((l) => l.app === 'web' && l.to === 'healthy');
    expect(started.length).toBeGreaterThan(0);
    expect(started[0]!.commit).toBe(web.remote.head.slice(0, 7));
  });

  it("first deploy with git variables in the operator's environment (GIT_CONFIG_GLOBAL, GIT_CONFIG_COUNT, EDITOR, PAGER)", async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const gitConfig = join(ws.root, 'gitconfig');
    await writeFile(gitConfig, '[advice]\n\tdetachedHead = false\n');
    const daemon = await startDaemon(ws, {
      env: {
        GIT_CONFIG_GLOBAL: gitConfig,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'advice.detachedHead',
        GIT_CONFIG_VALUE_0: 'false',
        EDITOR: 'vi',
        PAGER: 'less',
      },
    });
    const status = await daemon.waitHealthy('web', web.remote.head);
    expect(status.error).toBeNull();
    await waitForVersion(web.url, '1');
    const pushed = await pushCommit(web.remote, { VERSION: '2\n' });
    await waitForVersion(web.url, '2');
    await daemon.waitHealthy('web', pushed);
  });

  it('serves a push within timing.maximum + 2 s', async () => {
    const ws = await makeWorkspace();
    // Through the poll alone: the watch of the local repository is off.
    const web = await addApp(ws, 'web', { config: { timing: { minimum: 0.5, maximum: 1, watch: false } } });
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', web.remote.head);
    await waitForVersion(web.url, '1');

    const pushed = await pushCommit(web.remote, { VERSION: '2\n' }, 'version 2');
    const pushedAt = Date.now();
    await waitForVersion(web.url, '2', 1000 + 2000);
    const servedAfterMs = Date.now() - pushedAt;
    expect(servedAfterMs).toBeLessThanOrEqual(3000);

    const status = await daemon.waitHealthy('web', pushed);
    expect(status.commit).toBe(pushed);
    expect(await checkoutHead(web.checkout)).toBe(pushed);
    expect(appProcesses(ws.marker, 'web')).toEqual([status.pid]);
  });

  it('a push to a repository on this machine is served at once, without waiting for the poll', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { config: { timing: { minimum: 600, maximum: 600 } } });
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', web.remote.head);
    const pushed = await pushCommit(web.remote, { VERSION: '2\n' }, 'version 2');
    const pushedAt = Date.now();
    await waitForVersion(web.url, '2', 5_000);
    expect(Date.now() - pushedAt).toBeLessThan(5_000);
    expect((await daemon.waitHealthy('web', pushed)).commit).toBe(pushed);
    // A branch moved twice: each move is seen.
    const again = await pushCommit(web.remote, { VERSION: '3\n' }, 'version 3');
    await daemon.waitHealthy('web', again, 5_000);
  });

  it('an unchanged poll downloads nothing: the checkout objects and refs stay untouched', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { config: { timing: { minimum: 0.2, maximum: 0.3 } } });
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', web.remote.head);
    const snapshot = gitStoreSnapshot(web.checkout);
    expect(Object.keys(snapshot).length).toBeGreaterThan(0);
    expect(snapshot.FETCH_HEAD).toBeUndefined();

    // Three more polls of an unchanged remote.
    const polls = daemon.logs(enteredFetching('web')).length;
    await waitFor(() => daemon.logs(enteredFetching('web')).length >= polls + 3, { timeoutMs: 10_000, what: 'three more polls' });
    const after = await daemon.waitHealthy('web');

    expect(gitStoreSnapshot(web.checkout)).toEqual(snapshot);
    expect(after).toMatchObject({ commit: web.remote.head, pid: before.pid, restarts: 0, error: null });
  });

  it('two apps in two repositories update independently', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha');
    const b = await addApp(ws, 'beta');
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('alpha', a.remote.head);
    const beta = await daemon.waitHealthy('beta', b.remote.head);
    await waitForVersion(a.url, '1');
    await waitForVersion(b.url, '1');

    const alphaV2 = await pushCommit(a.remote, { VERSION: '2\n' });
    await waitForVersion(a.url, '2');
    const alphaUpdated = await daemon.waitHealthy('alpha', alphaV2);
    // beta has polled since (its own remote, unchanged) and was left alone.
    const polls = daemon.logs(enteredFetching('beta')).length;
    await waitFor(() => daemon.logs(enteredFetching('beta')).length >= polls + 2, { timeoutMs: 10_000, what: 'two polls of beta' });
    expect(await daemon.waitHealthy('beta')).toMatchObject({ commit: b.remote.head, pid: beta.pid, restarts: 0 });
    expect(await versionServed(b.url)).toBe('1');

    const betaV2 = await pushCommit(b.remote, { VERSION: '2\n' });
    await waitForVersion(b.url, '2');
    await daemon.waitHealthy('beta', betaV2);
    const alpha = await daemon.waitHealthy('alpha');
    expect(alpha).toMatchObject({ commit: alphaV2, pid: alphaUpdated.pid, restarts: 0 });
    expect(await versionServed(a.url)).toBe('2');
    expect(appProcesses(ws.marker).sort()).toEqual([alpha.pid, (await daemon.waitHealthy('beta')).pid].sort());
  });

  it('a git lock in the checkout: a live one refuses the update while v1 serves; once gone, the commit deploys (not quarantined)', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', web.remote.head);
    // Another git at work in the checkout (newer than the daemon): its lock must be respected.
    const lock = join(web.checkout, '.git', 'index.lock');
    await writeFile(lock, '');
    const pushed = await pushCommit(web.remote, { VERSION: '2\n' }, 'version 2');

    const refused = await daemon.waitForApp('web', (a) => a.error !== null && a.error.includes('index.lock'), 'the update refused over the lock');
    const polls = daemon.logs(enteredFetching('web')).length;
    await waitFor(() => daemon.logs(enteredFetching('web')).length >= polls + 2, { timeoutMs: 10_000, what: 'two more polls' });
    expect(await daemon.waitHealthy('web')).toMatchObject({ commit: before.commit, pid: before.pid });
    expect(refused.state).not.toBe('failed');
    expect(await versionServed(web.url)).toBe('1');
    expect(existsSync(lock)).toBe(true);

    await rm(lock);
    await daemon.waitHealthy('web', pushed);
    await waitForVersion(web.url, '2');
  });

  it('a stale git lock (older than the daemon) is removed, and the update goes ahead', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', web.remote.head);
    const lock = join(web.checkout, '.git', 'index.lock');
    await writeFile(lock, '');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lock, anHourAgo, anHourAgo);
    const pushed = await pushCommit(web.remote, { VERSION: '2\n' }, 'version 2');
    const status = await daemon.waitHealthy('web', pushed);
    expect(status.error).toBeNull();
    expect(existsSync(lock)).toBe(false);
    await waitForVersion(web.url, '2');
  });

  it('an untracked file the new commit adds: refused while v1 serves, the commit not quarantined; once moved away, it deploys', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', web.remote.head);
    const local = join(web.checkout, 'settings.local');
    await writeFile(local, 'written on the device\n');
    const pushed = await pushCommit(web.remote, { VERSION: '2\n', 'settings.local': 'from the repository\n' }, 'adds settings.local');

    await daemon.waitForApp('web', (a) => a.error !== null && a.error.includes('settings.local'), 'the update refused over the untracked file');
    const polls = daemon.logs(enteredFetching('web')).length;
    await waitFor(() => daemon.logs(enteredFetching('web')).length >= polls + 2, { timeoutMs: 10_000, what: 'two more polls' });
    expect(await daemon.waitHealthy('web')).toMatchObject({ commit: before.commit, pid: before.pid });
    expect(await versionServed(web.url)).toBe('1');

    await rm(local);
    await daemon.waitHealthy('web', pushed);
    await waitForVersion(web.url, '2');
  });
});
