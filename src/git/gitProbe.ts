import { tmpdir } from 'node:os';
import { GitError } from './gitError.js';
import { localGitDir, readLocalBranch } from './localRefs.js';
import type { GitOptions } from './gitOptions.js';
import { timeoutFor } from './gitOptions.js';
import { runGit } from './runGit.js';
import { remoteUrl } from './remoteUrl.js';
import { assertRepositoryOptions } from './validate.js';

/**
 * The commit at the head of the remote branch, asked with `git ls-remote` straight from the
 * remote URL (or read from the ref file of a repository on this machine): no objects are
 * downloaded and the checkout is not touched, so an unchanged poll costs at most one short git
 * process and nothing on disk.
 */
export async function gitProbe(opts: GitOptions): Promise<string> {
  assertRepositoryOptions(opts);
  // A repository on this machine, probed as the daemon's own account: its ref file says it all.
  // (With `application.user`, git runs as that account, so access stays the account's.)
  if (opts.runAs === undefined) {
    const gitDir = localGitDir(opts.remotePath);
    const local = gitDir === undefined ? undefined : readLocalBranch(gitDir, opts.branch);
    if (local !== undefined) return local;
  }
  const ref = `refs/heads/${opts.branch}`;
  const { stdout } = await runGit(opts.executable, ['ls-remote', remoteUrl(opts), ref], {
    // A neutral directory: the daemon's own could be inside a repository whose config
    // (url.<base>.insteadOf and the like) would change what the probe talks to.
    cwd: tmpdir(),
    timeoutMs: timeoutFor(opts, 'probe'),
    runAs: opts.runAs,
  });
  // ls-remote patterns match ref tails, so refs/heads/x/refs/heads/main would match too.
  for (const line of stdout.split('\n')) {
    const [commit, name] = line.split('\t');
    if (name === ref && commit) return commit;
  }
  throw new GitError('not-found', `branch ${opts.branch} not found on ${opts.remotePath}`);
}
