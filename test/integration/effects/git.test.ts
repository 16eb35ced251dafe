import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkoutCommit,
  ensureClone,
  fetchBranchHead,
  fetchCommit,
  gitProbe,
  headCommit,
} from '../../../src/git/index.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { createRemote, git, pushCommit } from '../../fixtures/git/testRepo.js';
import { gitRejection, optionsFor, recordingGit } from './gitHelpers.js';

afterEach(removeTempDirs);

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    const info = await stat(full);
    out.push(`${full} ${info.size} ${info.mtimeMs}`);
  }
  return out.sort();
}

describe('git effects on a real repository', () => {
  it('clones a missing checkout through a temporary sibling, then leaves it alone', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote, join(remote.root, 'apps', 'demo'));
    expect(await headCommit(opts)).toBeNull();
    expect(await ensureClone(opts)).toEqual({ cloned: true });
    expect(await headCommit(opts)).toBe(remote.head);
    expect(await readFile(join(opts.localPath, 'VERSION'), 'utf8')).toBe('1\n');
    expect(await readdir(join(remote.root, 'apps'))).toEqual(['demo']);
    expect(await ensureClone(opts)).toEqual({ cloned: false });
  });

  it('clones into an existing empty directory', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    await mkdir(opts.localPath);
    expect(await ensureClone(opts)).toEqual({ cloned: true });
    expect(await headCommit(opts)).toBe(remote.head);
  });

  it('reads a relative remote path against the daemon\'s working directory everywhere', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = { ...optionsFor(remote), remotePath: relative(process.cwd(), remote.bare) };
    expect(await gitProbe(opts)).toBe(remote.head);
    await ensureClone(opts);
    const second = await pushCommit(remote, { 'VERSION': '2\n' });
    await fetchCommit(opts, second);
    await checkoutCommit(opts, second, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(second);
  });

  it('probes the remote head and sees a push', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    expect(await gitProbe(opts)).toBe(remote.head);
    const second = await pushCommit(remote, { 'VERSION': '2\n' });
    expect(await gitProbe(opts)).toBe(second);
  });

  it('an unchanged probe of a repository on this machine reads its ref, runs no git, and downloads nothing', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const recorder = await recordingGit(remote.root);
    const opts = { ...optionsFor(remote), executable: recorder.executable };
    await ensureClone(opts);
    const before = await listTree(join(opts.localPath, '.git'));
    const calls = (await recorder.calls()).length;

    const head = await gitProbe(opts);
    expect(head).toBe(await headCommit(opts));
    // The daemon's next step for an unchanged head: the commit is present, so no fetch either.
    await fetchCommit(opts, head);

    const newCalls = (await recorder.calls()).slice(calls);
    expect(newCalls.map((c) => c.split(' ')[0])).toEqual(['rev-parse', 'cat-file']);
    expect(newCalls.some((c) => c.startsWith('fetch'))).toBe(false);
    expect(await listTree(join(opts.localPath, '.git'))).toEqual(before);
  });

  it('fetches and checks out exactly the pushed commit, and back to an older one without fetching', async () => {
    const remote = await createRemote({ 'VERSION': '1\n', 'app.txt': 'a\n' });
    const first = remote.head;
    const recorder = await recordingGit(remote.root);
    const opts = { ...optionsFor(remote), executable: recorder.executable };
    await ensureClone(opts);
    const second = await pushCommit(remote, { 'VERSION': '2\n', 'app.txt': null, 'new.txt': 'n\n' });
    await pushCommit(remote, { 'VERSION': '3\n' });

    await fetchCommit(opts, second);
    await checkoutCommit(opts, second, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(second);
    expect(await readFile(join(opts.localPath, 'VERSION'), 'utf8')).toBe('2\n');
    expect(existsSync(join(opts.localPath, 'app.txt'))).toBe(false);
    expect(await git(['status', '--porcelain'], opts.localPath)).toBe('');

    const calls = (await recorder.calls()).length;
    await fetchCommit(opts, first);
    await checkoutCommit(opts, first, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(first);
    expect(await readFile(join(opts.localPath, 'app.txt'), 'utf8')).toBe('a\n');
    expect((await recorder.calls()).slice(calls).some((c) => c.startsWith('fetch'))).toBe(false);
  });

  it('fetches a new branch head with the fetch alone, and a head fetched before with no git at all', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const recorder = await recordingGit(remote.root);
    const opts = { ...optionsFor(remote), executable: recorder.executable };
    await ensureClone(opts);
    const pushed = await pushCommit(remote, { 'VERSION': '2\n' });

    let before = (await recorder.calls()).length;
    await fetchBranchHead(opts, pushed);
    expect((await recorder.calls()).slice(before).map((c) => c.split(' ')[0])).toEqual(['fetch']);
    expect(await git(['cat-file', '-t', pushed], opts.localPath)).toBe('commit');

    before = (await recorder.calls()).length;
    await fetchBranchHead(opts, pushed);
    expect((await recorder.calls()).slice(before)).toEqual([]);

    // The branch moved on between the probe and the fetch: the probed commit is still made present.
    const probed = await pushCommit(remote, { 'VERSION': '3\n' });
    const newer = await pushCommit(remote, { 'VERSION': '4\n' });
    await fetchBranchHead(opts, probed);
    expect(await git(['cat-file', '-t', probed], opts.localPath)).toBe('commit');
    expect(await git(['rev-parse', `refs/remotes/origin/${remote.branch}`], opts.localPath)).toBe(newer);

    // A tracking ref packed away (`git pack-refs`) is read from packed-refs, as git reads it.
    await git(['pack-refs', '--all'], opts.localPath);
    before = (await recorder.calls()).length;
    await fetchBranchHead(opts, newer);
    expect((await recorder.calls()).slice(before)).toEqual([]);
    const last = await pushCommit(remote, { 'VERSION': '5\n' });
    await fetchBranchHead(opts, last);
    expect(await git(['cat-file', '-t', last], opts.localPath)).toBe('commit');
  });

  it('refuses to overwrite tracked local changes and keeps them', async () => {
    const remote = await createRemote({ 'VERSION': '1\n', 'config.txt': 'c\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);
    const first = remote.head;
    const second = await pushCommit(remote, { 'VERSION': '2\n' });
    await fetchCommit(opts, second);
    await writeFile(join(opts.localPath, 'config.txt'), 'edited on the device\n');
    await writeFile(join(opts.localPath, 'notes.txt'), 'untracked\n');

    const error = await gitRejection(checkoutCommit(opts, second, { discardLocalChanges: false }));
    expect(error.kind).toBe('local-changes');
    expect(error.files).toEqual(['config.txt']);
    expect(error.message).toContain('config.txt');
    expect(await headCommit(opts)).toBe(first);
    expect(await readFile(join(opts.localPath, 'config.txt'), 'utf8')).toBe('edited on the device\n');

    // Staged changes count as well.
    await git(['add', 'config.txt'], opts.localPath);
    expect((await gitRejection(checkoutCommit(opts, second, { discardLocalChanges: false }))).files).toEqual(['config.txt']);
  });

  it('discards tracked local changes when configured, keeping untracked files', async () => {
    const remote = await createRemote({ 'VERSION': '1\n', 'config.txt': 'c\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);
    const second = await pushCommit(remote, { 'VERSION': '2\n' });
    await fetchCommit(opts, second);
    await writeFile(join(opts.localPath, 'config.txt'), 'edited\n');
    await appendFile(join(opts.localPath, 'VERSION'), 'x\n');
    await writeFile(join(opts.localPath, 'notes.txt'), 'untracked\n');

    await checkoutCommit(opts, second, { discardLocalChanges: true });
    expect(await headCommit(opts)).toBe(second);
    expect(await readFile(join(opts.localPath, 'config.txt'), 'utf8')).toBe('c\n');
    expect(await readFile(join(opts.localPath, 'VERSION'), 'utf8')).toBe('2\n');
    expect(await readFile(join(opts.localPath, 'notes.txt'), 'utf8')).toBe('untracked\n');
  });

  it('reports an untracked file the new commit would replace as a local change', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);
    const first = remote.head;
    const second = await pushCommit(remote, { 'VERSION': '2\n', '.env': 'FROM_REPO=1\n' });
    await fetchCommit(opts, second);
    await writeFile(join(opts.localPath, '.env'), 'LOCAL=1\n');

    const error = await gitRejection(checkoutCommit(opts, second, { discardLocalChanges: false }));
    expect(error.kind).toBe('local-changes');
    expect(error.files).toEqual(['.env']);
    expect(await headCommit(opts)).toBe(first);
    expect(await readFile(join(opts.localPath, '.env'), 'utf8')).toBe('LOCAL=1\n');

    await checkoutCommit(opts, second, { discardLocalChanges: true });
    expect(await readFile(join(opts.localPath, '.env'), 'utf8')).toBe('FROM_REPO=1\n');
  });

  it('leaves an operator\'s local branch where it is (detached checkout)', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);
    await writeFile(join(opts.localPath, 'local.txt'), 'mine\n');
    await git(['add', 'local.txt'], opts.localPath);
    await git(['commit', '--quiet', '-m', 'local work'], opts.localPath);
    const local = await git(['rev-parse', 'HEAD'], opts.localPath);
    const second = await pushCommit(remote, { 'VERSION': '2\n' });

    await fetchCommit(opts, second);
    await checkoutCommit(opts, second, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(second);
    expect(await git(['rev-parse', `refs/heads/${remote.branch}`], opts.localPath)).toBe(local);
  });
});
