// Safe releases with real repositories: a new commit that fails inside its probation is rolled
// back to the last good commit and quarantined; a later good commit deploys normally.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon, type DaemonProcess } from '../../fixtures/daemon/daemonProcess.js';
import { versionServed, waitForVersion } from '../../fixtures/daemon/http.js';
import { checkoutHead } from '../../fixtures/daemon/checkout.js';
import { addApp, makeWorkspace, mergeConfig, writeAppConfig, type TestApp, type Workspace } from '../../fixtures/daemon/workspace.js';
import { runCli } from '../../fixtures/daemon/cli.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

const probeSource = fileURLToPath(new URL('../../fixtures/daemon/probe-server.mjs', import.meta.url));

/** c1 serves, c2 (made by `bad`) fails; afterwards c1 serves again, c2 is never retried, c3 deploys. */
async function rollbackStory(
  bad: (web: TestApp) => Promise<string>,
  beforeFix?: (ctx: { ws: Workspace; daemon: DaemonProcess; badCommit: string; good: string }) => Promise<void>,
): Promise<{ daemon: DaemonProcess; web: TestApp }> {
  const ws = await makeWorkspace();
  const web = await addApp(ws, 'web', { kind: 'probe', config: { restart: { limit: { restarts: 2, window: 60 } } } });
  const daemon = await startDaemon(ws);
  const good = web.remote.head;
  await daemon.waitHealthy('web', good);

  const badCommit = await bad(web);
  const rolledBack = await daemon.waitForApp(
    'web',
    (a) => a.state === 'healthy' && a.commit === good && a.error !== null && a.error.includes('rolled back'),
    'rolled back to the last good commit',
    30_000,
  );
  expect(rolledBack.error).toContain(`rolled back ${badCommit.slice(0, 7)}`);
  expect(rolledBack.lastGoodCommit).toBe(good);
  expect(await versionServed(web.url)).toBe('1');

  // Several polls later the quarantined commit is still not deployed again.
  const startsOfBad = () => daemon.logs((l) => l.app === 'web' && l.to === 'starting' && l.commit === badCommit.slice(0, 7)).length;
  const seen = startsOfBad();
  const polls = () => daemon.logs((l) => l.app === 'web' && l.to === 'fetching').length;
  const pollsBefore = polls();
  await waitFor(() => polls() >= pollsBefore + 3, { timeoutMs: 10_000, what: 'three more polls' });
  expect(startsOfBad()).toBe(seen);
  expect((await daemon.status()).apps.find((a) => a.name === 'web')?.commit).toBe(good);

  await beforeFix?.({ ws, daemon, badCommit, good });
  // The fix: the good app again, version 3.
  const next = await pushCommit(web.remote, { 'server.mjs': await readFile(probeSource, 'utf8'), VERSION: '3\n' }, 'a good commit after the bad one');
  await daemon.waitHealthy('web', next);
  await waitForVersion(web.url, '3');
  return { daemon, web };
}

describe('automatic rollback', () => {
  it('a commit whose app exits at once is rolled back and never retried; a later good commit deploys', async () => {
    await rollbackStory((web) =>
      pushCommit(web.remote, { 'server.mjs': 'process.exit(3);\n', VERSION: '2\n' }, 'an app that exits at once'),
    );
  });

  it('huddle deploy of a quarantined commit is an operator\'s explicit choice: it is tried again', async () => {
    await rollbackStory(
      (web) => pushCommit(web.remote, { 'server.mjs': 'process.exit(3);\n', VERSION: '2\n' }, 'an app that exits at once'),
      async ({ ws, daemon, badCommit, good }) => {
        const tries = () => daemon.logs((l) => l.app === 'web' && l.to === 'starting' && l.commit === badCommit.slice(0, 7)).length;
        const before = tries();
        const deploy = await runCli(ws, ['deploy', 'web', badCommit, '--state-dir', ws.stateDir]);
        expect(deploy.code).toBe(0);
        await waitFor(() => tries() > before, { timeoutMs: 10_000, what: 'the quarantined commit started again' });
        // It still fails, so it is rolled back once more.
        await daemon.waitForApp('web', (a) => a.state === 'healthy' && a.commit === good, 'rolled back again', 30_000);
      },
    );
  });

  it('a commit whose health check fails is rolled back and never retried; a later good commit deploys', async () => {
    const source = await readFile(probeSource, 'utf8');
    const alwaysBroken = source.replace('let broken = false;', 'let broken = true;');
    expect(alwaysBroken).not.toBe(source);
    await rollbackStory((web) =>
      pushCommit(web.remote, { 'server.mjs': alwaysBroken, VERSION: '2\n' }, 'an app whose health check fails'),
    );
  });
});

describe('a quarantined tip and a checkout cloned afresh', () => {
  it('a new `local path` clones the bad tip; the last good commit is checked out and started, the bad one never', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { kind: 'probe', config: { restart: { limit: { restarts: 2, window: 60 } } } });
    const daemon = await startDaemon(ws);
    const good = web.remote.head;
    await daemon.waitHealthy('web', good);
    const badCommit = await pushCommit(web.remote, { 'server.mjs': 'process.exit(3);\n', VERSION: '2\n' }, 'an app that exits at once');
    const rolledBack = await daemon.waitForApp('web', (a) => a.state === 'healthy' && a.commit === good && a.error !== null, 'rolled back', 30_000);
    const startsOfBad = () => daemon.logs((l) => l.app === 'web' && l.to === 'starting' && l.commit === badCommit.slice(0, 7)).length;
    const seen = startsOfBad();

    const moved = join(ws.checkouts, 'web-moved');
    await writeAppConfig(web, mergeConfig(web.config, { repository: { 'local path': moved } }));
    const after = await daemon.waitForApp(
      'web',
      (a) => a.state !== 'fetching' && a.pid !== rolledBack.pid && existsSync(moved) && (a.state === 'healthy' || a.state === 'failed'),
      'settled on the new checkout',
      30_000,
    );
    expect(after.state).toBe('healthy');
    expect(after.commit).toBe(good);
    expect(await checkoutHead(moved)).toBe(good);
    expect(await versionServed(web.url)).toBe('1');
    expect(startsOfBad()).toBe(seen);
  });
});
