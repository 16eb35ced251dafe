import { GitError } from './gitError.js';
import { gitIn } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';

/**
 * Tracked files with changes (staged or not) in the checkout. Untracked files do not count:
 * a deployed checkout routinely holds build output, logs, venvs or node_modules, and checking
 * out another commit leaves them alone. The one case where git would overwrite an untracked
 * file (the new commit adds it) is refused by git itself and reported as `local-changes` too.
 */
export async function localChanges(opts: GitOptions): Promise<string[]> {
  // GIT_OPTIONAL_LOCKS=0: a status that only looks must not take index.lock from under an
  // operator's own git command in the same checkout.
  const { stdout } = await gitIn(opts, ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--untracked-files=no']);
  const files: string[] = [];
  const entries = stdout.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? '';
    if (entry.length < 4) continue;
    files.push(entry.slice(3));
    // A rename or copy is followed by its source path.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  return files;
}

/** Refuse (a `local-changes` GitError listing the files) to update a checkout with tracked local edits. */
export async function assertNoLocalChanges(opts: GitOptions, commit: string): Promise<void> {
  const changed = await localChanges(opts);
  if (changed.length > 0) {
    throw new GitError(
      'local-changes',
      `${opts.localPath} has local changes, not updated to ${commit.slice(0, 12)}: ${changed.join(', ')}`,
      { files: changed },
    );
  }
}
