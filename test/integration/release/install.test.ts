// The install step (`application.install`) with real repositories: it runs in `updating`, before
// the start, with its output in `huddle logs`; a commit whose install fails is rolled back to the
// last good commit and quarantined. And `rollback.enabled: false`: a crashing commit stays.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { runCli } from '../../fixtures/daemon/cli.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { answerOf, refuses, versionServed, waitForVersion } from '../../fixtures/daemon/http.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { builtServerSource, isTransition } from '../../fixtures/release/appConfig.js';

cleanUpAfterEach();

// Every run is recorded outside the checkout (INSTALL_RUNS), before it may fail on purpose: a
// commit that carries INSTALL_FAILS makes it exit 1. It stamps build/ (untracked, as node_modules).
const INSTALL = [
  'echo "$HUDDLE_COMMIT" >> "$INSTALL_RUNS"',
  'if [ -e INSTALL_FAILS ]; then echo "install refused: $(cat INSTALL_FAILS)"; exit 1; fi',
  'mkdir -p build',
  'echo "$(cat VERSION)@$HUDDLE_COMMIT" > build/stamp',
  'echo "install step ran for version $(cat VERSION)"',
].join('; ');

async function installRuns(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('install step', () => {
  it('runs before the start, in the checkout, and its output is in huddle logs', async () => {
    const ws = await makeWorkspace();
    const runs = join(ws.root, 'install-runs');
    const web = await addApp(ws, 'web', {
      files: { 'server.mjs': await builtServerSource() },
      env: { INSTALL_RUNS: runs },
      config: { application: { install: INSTALL, 'install timeout': 10 } },
    });
    const first = web.remote.head;
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', first);
    // The app exits at once without a stamp for its own commit: its answer is the proof.
    expect(await answerOf(web.url)).toMatch(new RegExp(`^version 1 stamp 1@${first} pid \\d+`));
    expect(await installRuns(runs)).toEqual([first]);

    const second = await pushCommit(web.remote, { VERSION: '2\n' }, 'version 2');
    await daemon.waitHealthy('web', second);
    expect(await answerOf(web.url)).toMatch(new RegExp(`^version 2 stamp 2@${second} `));
    expect(await installRuns(runs)).toEqual([first, second]);

    const logs = await runCli(ws, ['logs', 'web', '--lines', '200', '--state-dir', ws.stateDir]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('install step ran for version 1');
    expect(logs.stdout).toContain('install step ran for version 2');
    // In order: each install's output comes before the app it built starts.
    const text = logs.stdout;
    expect(text.indexOf('install step ran for version 2')).toBeGreaterThan(text.indexOf('built-server version 1 listening'));
    expect(text.indexOf('built-server version 2 listening')).toBeGreaterThan(text.indexOf('install step ran for version 2'));
  });

  it('a commit whose install fails is rolled back and never retried; a later good commit deploys', async () => {
    const ws = await makeWorkspace();
    const runs = join(ws.root, 'install-runs');
    const web = await addApp(ws, 'web', {
      files: { 'server.mjs': await builtServerSource() },
      env: { INSTALL_RUNS: runs },
      config: { application: { install: INSTALL, 'install timeout': 10 } },
    });
    const good = web.remote.head;
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', good);

    const bad = await pushCommit(web.remote, { VERSION: '2\n', INSTALL_FAILS: 'missing dependency\n' }, 'an install that fails');
    const rolledBack = await daemon.waitForApp(
      'web',
      (a) => a.state === 'healthy' && a.commit === good && a.pid !== null && a.error !== null && a.error.includes('rolled back'),
      'rolled back to the last good commit',
      20_000,
    );
    expect(rolledBack.error).toContain(`rolled back ${bad.slice(0, 7)}`);
    expect(rolledBack.error).toContain(good.slice(0, 7));
    expect(rolledBack.error).toContain('update failed');
    expect(rolledBack.error).toContain('install refused: missing dependency');
    expect(rolledBack.lastGoodCommit).toBe(good);
    // The old process was stopped for the update: a new one runs the good commit, built again.
    expect(rolledBack.pid).not.toBe(before.pid);
    expect(await answerOf(web.url)).toMatch(new RegExp(`^version 1 stamp 1@${good} `));
    expect(await installRuns(runs)).toEqual([good, bad, good]);

    // Several polls later the quarantined commit has not been installed again.
    const polls = () => daemon.logs(isTransition('web', 'fetching')).length;
    const pollsBefore = polls();
    await waitFor(() => polls() >= pollsBefore + 3, { timeoutMs: 10_000, what: 'three more polls' });
    expect((await installRuns(runs)).filter((c) => c === bad)).toHaveLength(1);
    expect((await daemon.app('web'))?.commit).toBe(good);
    expect(await versionServed(web.url)).toBe('1');

    const fixed = await pushCommit(web.remote, { VERSION: '3\n', INSTALL_FAILS: null }, 'the install works again');
    await daemon.waitHealthy('web', fixed);
    await waitForVersion(web.url, '3');
    expect((await installRuns(runs)).slice(-1)).toEqual([fixed]);
  });
});

describe('rollback.enabled: false', () => {
  it('a crashing new commit is not rolled back: it is restarted per policy, then given up on', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', {
      kind: 'probe',
      config: { rollback: { enabled: false }, restart: { limit: { restarts: 2, window: 60 } } },
    });
    const good = web.remote.head;
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', good);

    const bad = await pushCommit(web.remote, { 'server.mjs': 'process.exit(3);\n', VERSION: '2\n' }, 'an app that exits at once');
    // The chart's path without rollback: restarts up to the budget, then `failed` on the new commit.
    const failed = await daemon.waitForApp('web', (a) => a.state === 'failed', 'failed', 20_000);
    expect(failed.commit).toBe(bad);
    expect(failed.lastGoodCommit).toBe(good);
    expect(failed.restarts).toBe(2);
    expect(failed.error).toContain('more than 2 restarts');
    expect(failed.error).toContain('process exited with code 3');
    expect(failed.error).not.toContain('rolled back');
    expect(await refuses(web.url)).toBe(true);

    // It stays on the bad commit: polls go on, nothing goes back to the good one.
    const polls = () => daemon.logs(isTransition('web', 'fetching')).length;
    const pollsBefore = polls();
    await waitFor(() => polls() >= pollsBefore + 2, { timeoutMs: 10_000, what: 'two more polls' });
    // A poll of a failed app passes through `fetching` and comes back to `failed`.
    const after = await daemon.waitForApp('web', (a) => a.state === 'failed', 'failed after the polls');
    expect(after.commit).toBe(bad);
    // Updates: the first deploy and the bad one, none back to the good commit.
    expect(daemon.logs(isTransition('web', 'updating'))).toHaveLength(2);
  });
});
