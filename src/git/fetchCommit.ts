import path from 'node:path';
import { GitError } from './gitError.js';
import { gitIn, gitInRaw } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';
import { readLocalRef } from './localRefs.js';
import { remoteUrl } from './remoteUrl.js';
import { assertCommitId, assertRepositoryOptions } from './validate.js';

/** True when the commit object is already in the checkout's object store. */
export async function hasCommit(opts: GitOptions, commit: string): Promise<boolean> {
  assertCommitId(commit);
  const run = await gitInRaw(opts, ['cat-file', '-e', `${commit}^{commit}`]);
  return run.code === 0;
}

/** The commit the checkout's remote-tracking ref of the branch points at, when a file read says. */
function trackedHead(opts: GitOptions): string | undefined {
  return readLocalRef(path.join(opts.localPath, '.git'), `refs/remotes/${opts.remote}/${opts.branch}`);
}

function fetchBranch(opts: GitOptions): Promise<unknown> {
  // Fetched from the configured URL rather than the checkout's remote, so a changed
  // `remote path` takes effect without rewriting the checkout's config.
  return gitIn(
    opts,
    ['fetch', '--quiet', '--no-tags', remoteUrl(opts), `+refs/heads/${opts.branch}:refs/remotes/${opts.remote}/${opts.branch}`],
    'transfer',
  );
}

/**
 * Make sure `commit`, just probed as the head of the remote branch, is in the checkout. A fetch
 * writes the remote-tracking ref only once the objects are stored, so a ref that points at the
 * commit proves it is there: the usual update (the branch moved) costs the fetch alone, and a
 * commit fetched before (an update held back) costs no git process at all.
 */
export async function fetchBranchHead(opts: GitOptions, commit: string): Promise<void> {
  assertRepositoryOptions(opts);
  assertCommitId(commit);
  if (trackedHead(opts) === commit) return;
  await fetchBranch(opts);
  if (trackedHead(opts) === commit) return;
  // The branch moved again meanwhile, or the ref is not a plain file: ask git.
  await fetchCommit(opts, commit);
}

/**
 * Make sure `commit` is present in the checkout, fetching the branch from the remote URL only
 * when it is not (a rollback to a known commit or a repeated deploy downloads nothing).
 */
export async function fetchCommit(opts: GitOptions, commit: string): Promise<void> {
  assertRepositoryOptions(opts);
  if (await hasCommit(opts, commit)) return;
  await fetchBranch(opts);
  if (await hasCommit(opts, commit)) return;
  // Not on the branch any more (force-pushed away, or a pinned commit): ask for it by id, which
  // servers allow for reachable commits (protocol v2, uploadpack.allowReachableSHA1InWant).
  const byId = await gitInRaw(opts, ['fetch', '--quiet', '--no-tags', remoteUrl(opts), commit], 'transfer');
  if (byId.code === 0 && (await hasCommit(opts, commit))) return;
  throw new GitError('not-found', `commit ${commit} is not on ${opts.remotePath} (branch ${opts.branch})`, {
    exitCode: byId.code,
    stderr: byId.stderr,
  });
}
