// Reading a branch head straight from a repository on this machine, as git would.
import { afterEach, describe, expect, it } from 'vitest';
import { localGitDir, readLocalBranch } from '../../../src/git/localRefs.js';
import { createRemote, git, pushCommit } from '../../fixtures/git/testRepo.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';

afterEach(removeTempDirs);

describe('local refs', () => {
  it('finds the git dir of a bare repository, a work tree, or a file:// URL, and nothing else', async () => {
    const remote = await createRemote({ a: '1\n' });
    expect(localGitDir(remote.bare)).toBe(remote.bare);
    expect(localGitDir(`file://${remote.bare}`)).toBe(remote.bare);
    expect(localGitDir(remote.work)).toBe(`${remote.work}/.git`);
    expect(localGitDir('git@example.com:org/repo.git')).toBeUndefined();
    expect(localGitDir('relative/path')).toBeUndefined();
    expect(localGitDir(`${remote.root}/missing.git`)).toBeUndefined();
  });

  it('reads the loose ref, then packed-refs, as git does; anything unusual is left to git', async () => {
    const remote = await createRemote({ a: '1\n' });
    expect(readLocalBranch(remote.bare, 'main')).toBe(remote.head);
    await git(['pack-refs', '--all'], remote.bare);
    expect(readLocalBranch(remote.bare, 'main')).toBe(remote.head);
    // A push after packing writes a loose ref again, which wins over the packed one.
    const next = await pushCommit(remote, { a: '2\n' });
    expect(readLocalBranch(remote.bare, 'main')).toBe(next);
    expect(readLocalBranch(remote.bare, 'nope')).toBeUndefined();
    await git(['symbolic-ref', 'refs/heads/alias', 'refs/heads/main'], remote.bare);
    expect(readLocalBranch(remote.bare, 'alias')).toBeUndefined();
  });
});
