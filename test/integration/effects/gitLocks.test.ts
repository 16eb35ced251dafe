// A leftover .git/index.lock (a git killed mid-checkout: huddle's own at its timeout, a killed
// daemon, a power loss) must not fail an update once the app is down: a stale one is removed, a
// live one (another git at work now) refuses before the stop, as a node-local failure.
import { existsSync } from 'node:fs';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutCommit, clearStaleLocks, ensureClone, fetchCommit, headCommit } from '../../../src/git/index.js';
import { noteGitKilled } from '../../../src/git/checkoutLocks.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { createRemote, pushCommit } from '../../fixtures/git/testRepo.js';
import { gitRejection, optionsFor } from './gitHelpers.js';

afterEach(removeTempDirs);

async function checkoutWithNewCommit() {
  const remote = await createRemote({ VERSION: '1\n' });
  const opts = optionsFor(remote);
  await ensureClone(opts);
  const first = remote.head;
  const second = await pushCommit(remote, { VERSION: '2\n' });
  await fetchCommit(opts, second);
  return { opts, first, second, lock: join(opts.localPath, '.git', 'index.lock') };
}

describe('git locks in a checkout', () => {
  it('a lock older than the daemon is stale: removed, and the checkout goes ahead', async () => {
    const { opts, second, lock } = await checkoutWithNewCommit();
    await writeFile(lock, '');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lock, anHourAgo, anHourAgo);

    await checkoutCommit(opts, second, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(second);
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock from just before the daemon started is left alone: a git started before a restart may still hold it', async () => {
    const { opts, lock } = await checkoutWithNewCommit();
    await writeFile(lock, '');
    const justBefore = new Date(performance.timeOrigin - 1000);
    await utimes(lock, justBefore, justBefore);
    expect((await gitRejection(clearStaleLocks(opts))).kind).toBe('locked');
    expect(existsSync(lock)).toBe(true);
  });

  it('a lock left by a git huddle killed is stale too', async () => {
    const { opts, second, lock } = await checkoutWithNewCommit();
    await writeFile(lock, '');
    noteGitKilled(opts.localPath);
    await checkoutCommit(opts, second, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(second);
  });

  it('a fresh lock of another git refuses, as a node-local `locked` failure, and is left alone', async () => {
    const { opts, first, second, lock } = await checkoutWithNewCommit();
    await writeFile(lock, '');
    // One at a time: a rejection not awaited yet would be an unhandled one.
    for (const attempt of [() => clearStaleLocks(opts), () => checkoutCommit(opts, second, { discardLocalChanges: true })]) {
      const error = await gitRejection(attempt());
      expect(error.kind).toBe('locked');
      expect(error.nodeLocal).toBe(true);
      expect(error.message).toContain(lock);
    }
    expect(existsSync(lock)).toBe(true);
    expect(await headCommit(opts)).toBe(first);
  });
});
