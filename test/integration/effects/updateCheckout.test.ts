import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createActor, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { loadConfigDir, type LoadedApp } from '../../../src/config/index.js';
import { gitOptionsOf } from '../../../src/daemon/appSpec.js';
import { updateCheckoutActor } from '../../../src/daemon/effects/updateCheckout.js';
import type { EffectsHost } from '../../../src/daemon/effects/host.js';
import { checkoutOf, UpdateChain } from '../../../src/daemon/effects/updateChain.js';
import { ensureClone, fetchCommit, headCommit } from '../../../src/git/index.js';
import { createLogger } from '../../../src/log.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

cleanUpAfterEach();

function testHost(app: LoadedApp, logFile: string, updateStarting: EffectsHost['updateStarting']): EffectsHost {
  return {
    app: () => app,
    logger: createLogger({ stream: new PassThrough() }),
    metrics: { timePoll: (_app, promise) => promise, timeHealthCheck: (_app, promise) => promise } as EffectsHost['metrics'],
    logFile: () => logFile,
    processStarted: () => undefined,
    processExited: () => undefined,
    updateStarting,
  };
}

/** An app whose pre-pull hook leaves a mark, cloned at its first commit, with a second one fetched. */
async function checkoutBehindASecondCommit() {
  const ws = await makeWorkspace();
  const ran = join(ws.root, 'pre-pull-ran');
  const web = await addApp(ws, 'web', { env: { RAN: ran }, config: { scripts: { 'pre-pull': 'touch "$RAN"' } } });
  const [app] = loadConfigDir(ws.configDir).apps;
  if (!app) throw new Error('no app loaded');
  const opts = gitOptionsOf(app);
  await ensureClone(opts);
  const first = await headCommit(opts);
  const second = await pushCommit(web.remote, { VERSION: '2\n' });
  await fetchCommit(opts, second);
  return { ws, ran, app, opts, first, second };
}

describe('the update effect', () => {
  it('runs no hook and no checkout before the host has the update on disk', async () => {
    const { ws, ran, app, opts, first, second } = await checkoutBehindASecondCommit();

    let recorded!: () => void;
    let asked = 0;
    const host = testHost(app, join(ws.root, 'web.log'), () => {
      asked += 1;
      return new Promise<void>((resolve) => (recorded = resolve));
    });
    const actor = createActor(updateCheckoutActor(host), { input: { app: 'web', commit: second, previousCommit: first } }).start();
    await waitFor(() => asked === 1, { timeoutMs: 5_000, what: 'the update to ask for its durable record' });
    // Waiting for the disk: the tree and the hooks are untouched.
    expect(existsSync(ran)).toBe(false);
    expect(await headCommit(opts)).toBe(first);

    recorded();
    await toPromise(actor);
    expect(existsSync(ran)).toBe(true);
    expect(await headCommit(opts)).toBe(second);
  });

  it('an update aborted while it waits for the disk touches nothing', async () => {
    const { ws, ran, app, opts, first, second } = await checkoutBehindASecondCommit();

    let asked = false;
    const host = testHost(app, join(ws.root, 'web.log'), (_app, signal) => {
      asked = true;
      return new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const updates = new UpdateChain();
    const actor = createActor(updateCheckoutActor(host, undefined, updates), { input: { app: 'web', commit: second, previousCommit: first } }).start();
    await waitFor(() => asked, { timeoutMs: 5_000, what: 'the update to ask for its durable record' });
    actor.stop();
    await updates.settled(checkoutOf(app));
    expect(existsSync(ran)).toBe(false);
    expect(await headCommit(opts)).toBe(first);
  });
});
