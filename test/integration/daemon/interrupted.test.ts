import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { appCommand } from '../../fixtures/daemon/cli.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { pidServing } from '../../fixtures/daemon/http.js';
import { appProcesses, envOf, markedProcesses } from '../../fixtures/daemon/processes.js';
import { hookRecords } from '../../fixtures/daemon/records.js';
import { checkoutHead } from '../../fixtures/daemon/checkout.js';
import { waitForVersion } from '../../fixtures/daemon/http.js';
import { addApp, addSharingApp, makeWorkspace, mergeConfig, writeAppConfig, type Workspace } from '../../fixtures/daemon/workspace.js';
import { appStateFile } from '../../../src/daemon/paths.js';
import { parsePersisted } from '../../../src/daemon/persistedState.js';
import { initialAppContext } from '../../../machines/app.context.js';
import { appSpec } from '../../fixtures/machines/specs.js';
import { loadProcessRecord } from '../../../src/daemon/stateStore.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

/**
 * A git that takes 3 s longer, once, to check out the commit written to `<root>/slow-commit`
 * (none until the test writes one), and touches `<root>/slow-done` when that checkout is over.
 */
async function slowCheckoutShim(ws: Workspace): Promise<{ shim: string; slowCommit: string; done: string }> {
  const shim = join(ws.root, 'git-shim.sh');
  const slowCommit = join(ws.root, 'slow-commit');
  const done = join(ws.root, 'slow-done');
  await writeFile(shim, [
    '#!/bin/sh',
    `slow="$(cat '${slowCommit}' 2>/dev/null)"`,
    'case "$*" in',
    `  *checkout*"$slow"*) if [ -n "$slow" ] && mkdir '${join(ws.root, 'slow-once')}' 2>/dev/null; then`,
    `    sleep 3; git "$@"; rc=$?; touch '${done}'; exit $rc`,
    '  fi ;;',
    'esac',
    'exec git "$@"',
    '',
  ].join('\n'), { mode: 0o755 });
  return { shim, slowCommit, done };
}

describe('huddle run: updates that are interrupted', () => {
  it("a hook that outlives its cancelled update never deletes the record of the app's next process", async () => {
    const ws = await makeWorkspace();
    const hungOnce = join(ws.root, 'hung-once');
    // The first run of the hook (on the HANG commit) ignores SIGTERM and hangs; later runs pass.
    const web = await addApp(ws, 'web', {
      kind: 'probe',
      env: { HUNG_ONCE: hungOnce },
      files: { 'hook.sh': `if [ -f HANG ] && [ ! -f "$HUNG_ONCE" ]; then touch "$HUNG_ONCE"; trap '' TERM; sleep 600; fi\n` },
      config: { scripts: { 'post-pull': 'sh hook.sh', timeout: 120 } },
    });
    const first = await startDaemon(ws);
    await first.waitHealthy('web', web.remote.head);

    const hanging = await pushCommit(web.remote, { HANG: 'yes\n' });
    // The hook's sh and its sleep (which started after the trap), by the commit in their env.
    const hook = await waitFor(() => {
      const pids = markedProcesses(ws.marker).filter((pid) => envOf(pid)?.get('HUDDLE_COMMIT') === hanging);
      return pids.length >= 2 && existsSync(hungOnce) ? pids : null;
    }, { timeoutMs: 10_000, what: 'the hanging hook and its sleep' });

    // Stopped mid-update (the hook shrugs off SIGTERM: it is killed ~2 s later), then started again.
    expect((await appCommand(ws, 'stop', 'web')).code).toBe(0);
    await first.waitForApp('web', (a) => a.state === 'stopped', 'stopped');
    expect((await appCommand(ws, 'start', 'web')).code).toBe(0);
    const healthy = await first.waitHealthy('web', hanging);

    // The old hook is killed, and its end is handled: a poll round trip of the daemon after it.
    await waitFor(() => hook.every((pid) => !pidAlive(pid)), { timeoutMs: 10_000, what: 'the old hook killed' });
    const seen = first.lines.length;
    await first.waitForLog(
      (l) => first.lines.indexOf(l) >= seen && l.app === 'web' && l.event === 'state' && l.from === 'fetching' && l.to === 'healthy',
      'a poll after the old hook ended',
    );
    await waitFor(() => hookRecords(ws.stateDir, 'web').length === 0, { timeoutMs: 5_000, what: 'no hook record left' });
    const record = await loadProcessRecord(ws.stateDir, 'web');
    expect(record).toMatchObject({ status: 'ok', value: { pid: healthy.pid } });

    // kill -9: the next daemon stops the recorded instance before it starts one, never two.
    first.signal('SIGKILL');
    await first.waitExit();
    expect(pidAlive(healthy.pid!)).toBe(true);
    const second = await startDaemon(ws);
    const again = await second.waitForApp('web', (a) => a.state === 'healthy' && a.pid !== null && a.pid !== healthy.pid, 'healthy in a new process');
    expect(pidAlive(healthy.pid!)).toBe(false);
    expect(appProcesses(ws.marker, 'web')).toEqual([again.pid]);
    expect(await pidServing(web.url)).toBe(again.pid);
    await second.stop();
    expect(markedProcesses(ws.marker)).toEqual([]);
  });

  it.each(['stopped and started again', 'reconfigured'])(
    'an update %s during a slow checkout: the newer commit is checked out after the old checkout, never under it',
    async (how) => {
      const ws = await makeWorkspace();
      const { shim, slowCommit, done } = await slowCheckoutShim(ws);
      // No polls of their own: the test says when the daemon looks at the remote.
      const web = await addApp(ws, 'web', { config: { repository: { executable: shim }, timing: { minimum: 600, maximum: 600 } } });
      const daemon = await startDaemon(ws);
      await daemon.waitHealthy('web', web.remote.head);

      const second = await pushCommit(web.remote, { VERSION: '2\n' });
      await writeFile(slowCommit, second);
      expect((await appCommand(ws, 'poll', 'web')).code).toBe(0);
      await waitFor(() => existsSync(join(ws.root, 'slow-once')), { timeoutMs: 10_000, what: 'the slow checkout of commit 2 to begin' });
      const third = await pushCommit(web.remote, { VERSION: '3\n' });

      if (how === 'reconfigured') {
        await writeAppConfig(web, mergeConfig(web.config, { application: { env: { ...(web.config.application?.env as Record<string, string>), EXTRA: '1' } } }));
      } else {
        expect((await appCommand(ws, 'stop', 'web')).code).toBe(0);
        await daemon.waitForApp('web', (a) => a.state === 'stopped', 'stopped');
        expect((await appCommand(ws, 'start', 'web')).code).toBe(0);
      }
      await daemon.waitHealthy('web', third);
      await waitFor(() => existsSync(done), { timeoutMs: 10_000, what: 'the old checkout of commit 2 to be over' });
      // What the daemon says runs is what is on disk: a restart after a crash serves commit 3 too.
      expect(await checkoutHead(web.checkout)).toBe(third);
      expect(await readFile(join(web.checkout, 'VERSION'), 'utf8')).toBe('3\n');
      await waitForVersion(web.url, '3');
      expect((await daemon.waitHealthy('web')).commit).toBe(third);
      await daemon.stop();
    },
  );

  it('an update cut short in a shared checkout leaves the apps sharing it untrusted too: each is deployed again before it runs', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    await addSharingApp(ws, web, 'worker');
    const first = await startDaemon(ws);
    await first.waitHealthy('web', web.remote.head);
    await first.waitHealthy('worker', web.remote.head);
    await first.stop();
    // What a daemon killed in web's update leaves: web's mark, and worker's record of the commit it ran.
    const file = appStateFile(ws.stateDir, 'web');
    const saved = JSON.parse(await readFile(file, 'utf8')) as { state: Record<string, unknown> };
    saved.state.deploying = web.remote.head;
    await writeFile(file, JSON.stringify(saved));

    const second = await startDaemon(ws);
    await second.waitHealthy('web', web.remote.head);
    await second.waitHealthy('worker', web.remote.head);
    for (const app of ['web', 'worker']) {
      const states = second.logs((l) => l.app === app && l.event === 'state').map((l) => l.to);
      // Through the update (checkout, hooks) before the first start.
      expect(states.indexOf('updating')).toBeGreaterThanOrEqual(0);
      expect(states.indexOf('updating')).toBeLessThan(states.indexOf('starting'));
    }
    expect(second.logs((l) => l.app === 'worker' && /shares with web was left mid-update/.test(String(l.message)))).toHaveLength(1);
    await second.stop();
  });

  it('the first hook of an update runs only once the state dir says there is no usable checkout', async () => {
    const ws = await makeWorkspace();
    const seen = join(ws.root, 'state-seen-by-hook.json');
    const web = await addApp(ws, 'web', {
      env: { STATE_FILE: appStateFile(ws.stateDir, 'web'), SEEN: seen },
      config: { scripts: { 'pre-pull': 'cp "$STATE_FILE" "$SEEN"' } },
    });
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', web.remote.head);
    const second = await pushCommit(web.remote, { VERSION: '2\n' });
    await daemon.waitHealthy('web', second);
    // A daemon killed from here on finds no commit to trust, and deploys again.
    const state = JSON.parse(await readFile(seen, 'utf8')) as { state: unknown };
    expect(initialAppContext({ ...appSpec('web'), restored: parsePersisted(state.state) }).persisted.currentCommit).toBeNull();
    // The first deploy was an update too.
    expect(daemon.logs((l) => l.app === 'web' && l.message === 'update recorded in the state dir')).toHaveLength(2);
    await daemon.stop();
  });
});
