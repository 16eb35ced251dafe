import { clearStaleLocks } from './checkoutLocks.js';
import { GitError } from './gitError.js';
import { gitInRaw } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';
import { hasCommit } from './fetchCommit.js';
import { assertNoLocalChanges } from './localChanges.js';
import { failure } from './runGit.js';
import { assertCommitId } from './validate.js';

export interface CheckoutOptions {
  /** Overwrite modified tracked files (and untracked files the commit would replace). */
  discardLocalChanges: boolean;
  /** The caller found the checkout without tracked edits moments ago: no second `git status`. */
  checkedClean?: boolean;
}

/** The file names git lists (tab-indented) under "would be overwritten by checkout". */
function overwrittenFiles(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('\t'))
    .map((l) => l.trim());
}

/**
 * Check out exactly `commit` as a detached HEAD.
 *
 * Detached rather than `checkout -B <branch>`: moving a local branch would drop commits an
 * operator made on it from the branch (nothing may be lost), and a detached HEAD works the
 * same for a branch tip, a rollback to an older commit, or a pinned tag.
 *
 * Tracked local changes refuse the checkout with a `local-changes` GitError listing the files
 * (and leave them as they are) unless `discardLocalChanges`. Untracked files are kept either way.
 * A stale index.lock or HEAD.lock is removed first; a live one refuses (`locked`, see clearStaleLocks).
 */
export async function checkoutCommit(opts: GitOptions, commit: string, options: CheckoutOptions): Promise<void> {
  assertCommitId(commit);
  await clearStaleLocks(opts);
  if (!options.discardLocalChanges && !options.checkedClean) await assertNoLocalChanges(opts, commit);
  const args = ['checkout', '--quiet', '--detach', ...(options.discardLocalChanges ? ['--force'] : []), `${commit}^{commit}`];
  const run = await gitInRaw(opts, args);
  if (run.code === 0) return;
  const error = failure(args, run);
  if (error.kind === 'local-changes') {
    const files = overwrittenFiles(run.stderr);
    throw new GitError(
      'local-changes',
      `${opts.localPath}: checking out ${commit.slice(0, 12)} would overwrite local files: ${files.join(', ')}`,
      { files, exitCode: run.code, stderr: run.stderr },
    );
  }
  if (error.kind !== 'corrupt' && !(await hasCommit(opts, commit).catch(() => true))) {
    throw new GitError('not-found', `commit ${commit} is not in ${opts.localPath}: fetch it first`, {
      exitCode: run.code,
      stderr: run.stderr,
    });
  }
  throw error;
}
