// An untracked file the new commit adds makes git refuse the checkout: found before the stop (the
// app keeps serving), like a tracked edit. Ignored files do not count (git overwrites them).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertCheckoutFits, checkoutCommit, ensureClone, fetchCommit, headCommit } from '../../../src/git/index.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { createRemote, git, pushCommit } from '../../fixtures/git/testRepo.js';
import { gitRejection, optionsFor, recordingGit } from './gitHelpers.js';

afterEach(removeTempDirs);

async function setUp() {
  const remote = await createRemote({ VERSION: '1\n', '.gitignore': '*.log\n' });
  const opts = optionsFor(remote);
  await ensureClone(opts);
  const first = remote.head;
  const second = await pushCommit(remote, { VERSION: '2\n', 'settings.local': 'repo\n', 'conf/app.ini': 'x\n', 'debug.log': 'repo\n' });
  await fetchCommit(opts, second);
  return { remote, opts, first, second };
}

describe('untracked files in the way of a checkout', () => {
  it('one the commit adds (or a file where it adds a directory) refuses as local-changes, naming them', async () => {
    const { opts, first, second } = await setUp();
    await writeFile(join(opts.localPath, 'settings.local'), 'mine\n');
    await writeFile(join(opts.localPath, 'conf'), 'a file where the commit has a directory\n');
    await writeFile(join(opts.localPath, 'notes.txt'), 'in nobody\'s way\n');
    const error = await gitRejection(assertCheckoutFits(opts, second));
    expect(error.kind).toBe('local-changes');
    expect(error.nodeLocal).toBe(true);
    expect(error.files).toEqual(['conf', 'settings.local']);
    expect(error.message).toContain('settings.local');
    expect(await headCommit(opts)).toBe(first);
  });

  it('untracked files out of the way, and ignored ones git overwrites, pass; the checkout then succeeds', async () => {
    const { opts, second } = await setUp();
    await writeFile(join(opts.localPath, 'notes.txt'), 'mine\n');
    await writeFile(join(opts.localPath, 'debug.log'), 'ignored\n');
    await assertCheckoutFits(opts, second);
    await checkoutCommit(opts, second, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(second);
  });

  it('costs one git process (the status) without untracked files, two with', async () => {
    const { remote, opts, second } = await setUp();
    const recorder = await recordingGit(remote.root);
    const recorded = { ...opts, executable: recorder.executable };
    await assertCheckoutFits(recorded, second);
    expect((await recorder.calls()).map((c) => c.split(' ').find((a) => !a.startsWith('-')))).toEqual(['status']);
    await writeFile(join(opts.localPath, 'notes.txt'), 'mine\n');
    await assertCheckoutFits(recorded, second);
    expect((await recorder.calls()).slice(1).map((c) => c.split(' ').find((a) => !a.startsWith('-')))).toEqual(['status', 'diff']);
  });
});

describe('a submodule an operator initialised', () => {
  it('moved by a commit: its drift is not a local edit, so later updates are not refused', async () => {
    const sub = await createRemote({ 'lib.txt': 'one\n' });
    const remote = await createRemote({ VERSION: '1\n' });
    const allowFile = ['-c', 'protocol.file.allow=always'];
    await git([...allowFile, 'submodule', 'add', '--quiet', sub.bare, 'lib'], remote.work);
    const withSub = await pushCommit(remote, {}, 'add lib');
    const opts = optionsFor(remote);
    await ensureClone(opts);
    await git([...allowFile, 'submodule', 'update', '--init', '--quiet'], opts.localPath);
    expect(await headCommit(opts)).toBe(withSub);

    // The submodule moves on: the superproject records its new commit.
    await pushCommit(sub, { 'lib.txt': 'two\n' });
    await git([...allowFile, 'submodule', 'update', '--remote', '--quiet', 'lib'], remote.work);
    const moved = await pushCommit(remote, {}, 'move lib');
    await fetchCommit(opts, moved);
    await assertCheckoutFits(opts, moved);
    await checkoutCommit(opts, moved, { discardLocalChanges: false });

    const next = await pushCommit(remote, { VERSION: '2\n' });
    await fetchCommit(opts, next);
    await assertCheckoutFits(opts, next);
    await checkoutCommit(opts, next, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(next);
  });
});
