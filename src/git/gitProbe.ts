import { tmpdir } from 'node:os';
import { GitError } from './gitError.js';
import type { GitOptions } from './gitOptions.js';
import { timeoutFor } from './gitOptions.js';
import { runGit } from './runGit.js';
import { remoteUrl } from './remoteUrl.js';
import { assertRepositoryOptions } from './validate.js';

/**
 * The commit at the head of the remote branch, asked with `git ls-remote` straight from the
 * remote URL: no objects are downloaded and the checkout is not touched, so an unchanged poll
 * costs one short git process and nothing on disk.
 */
export async function gitProbe(opts: GitOptions): Promise<string> {
  assertRepositoryOptions(opts);
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
