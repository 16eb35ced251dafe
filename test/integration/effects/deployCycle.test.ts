import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutCommit, ensureClone, fetchCommit, gitProbe, headCommit } from '../../../src/git/index.js';
import { httpCheck } from '../../../src/health/index.js';
import type { AppProcess } from '../../../src/process/index.js';
import { appPath } from '../../fixtures/apps/paths.js';
import { freePort } from '../../fixtures/apps/ports.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { createRemote, pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { optionsFor } from './gitHelpers.js';
import { baseEnv, cleanupProcesses, startTracked } from './processHelpers.js';

afterEach(async () => {
  await cleanupProcesses();
  await removeTempDirs();
});

// The effects in the order the daemon chains them: probe, fetch, stop, checkout, start, check.
describe('one update cycle with the real effects', () => {
  it('serves the version of each commit it checks out', async () => {
    const remote = await createRemote({ 'server.mjs': readFileSync(appPath('version-server.mjs'), 'utf8'), 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const start = (): AppProcess =>
      startTracked({
        app: 'web',
        command: 'node server.mjs',
        cwd: opts.localPath,
        env: baseEnv({ PORT: String(port) }),
        logFile: join(remote.root, 'state', 'logs', 'web.log'),
        stopSignal: 'SIGTERM',
        stopTimeoutMs: 5000,
      });
    const serves = (version: string) =>
      waitFor(async () => (await httpCheck({ url, status: { min: 200, max: 299 }, body: `version ${version}`, timeoutMs: 500 })).ok, {
        timeoutMs: 10_000,
        what: `version ${version} to be served`,
      });

    await ensureClone(opts);
    let app = start();
    await serves('1');

    const pushed = await pushCommit(remote, { 'VERSION': '2\n' });
    const head = await gitProbe(opts);
    expect(head).toBe(pushed);
    expect(head).not.toBe(await headCommit(opts));
    await fetchCommit(opts, head);
    await app.stop();
    await checkoutCommit(opts, head, { discardLocalChanges: false });
    app = start();
    await serves('2');
    expect(await headCommit(opts)).toBe(pushed);
  });
});
