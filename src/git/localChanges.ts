import { GitError } from './gitError.js';
import { gitIn } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';

export interface WorkingTreeChanges {
  /** Tracked files with changes, staged or not. */
  changed: string[];
  /** Untracked files git does not ignore (only when asked for). */
  untracked: string[];
}

async function workingTreeChanges(opts: GitOptions, withUntracked: boolean): Promise<WorkingTreeChanges> {
  // GIT_OPTIONAL_LOCKS=0: a status that only looks must not take index.lock from under an
  // operator's own git command in the same checkout. Submodules are not updated by huddle (see the
  // README): one an operator initialised drifts when a commit moves it, which is no local edit.
  const { stdout } = await gitIn(opts, [
    '--no-optional-locks', 'status', '--porcelain=v1', '-z', '--ignore-submodules=all', withUntracked ? '--untracked-files=all' : '--untracked-files=no',
  ]);
  const changed: string[] = [];
  const untracked: string[] = [];
  const entries = stdout.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? '';
    if (entry.length < 4) continue;
    if (entry.startsWith('?? ')) untracked.push(entry.slice(3));
    else changed.push(entry.slice(3));
    // A rename or copy is followed by its source path.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  return { changed, untracked };
}

/**
 * Tracked files with changes (staged or not) in the checkout. Untracked files do not count:
 * a deployed checkout routinely holds build output, logs, venvs or node_modules, and checking
 * out another commit leaves them alone (see assertCheckoutFits for the one exception).
 */
export async function localChanges(opts: GitOptions): Promise<string[]> {
  return (await workingTreeChanges(opts, false)).changed;
}

function localChangesError(opts: GitOptions, commit: string, changed: string[]): GitError {
  return new GitError(
    'local-changes',
    `${opts.localPath} has local changes, not updated to ${commit.slice(0, 12)}: ${changed.join(', ')}`,
    { files: changed },
  );
}

/** Refuse (a `local-changes` GitError listing the files) to update a checkout with tracked local edits. */
export async function assertNoLocalChanges(opts: GitOptions, commit: string): Promise<void> {
  const changed = await localChanges(opts);
  if (changed.length > 0) throw localChangesError(opts, commit, changed);
}

/** Untracked paths `commit` would overwrite: it adds them, a directory above one, or a file below one. */
async function untrackedCollisions(opts: GitOptions, commit: string, untracked: readonly string[]): Promise<string[]> {
  const { stdout } = await gitIn(opts, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=A', 'HEAD', `${commit}^{commit}`]);
  // Set lookups both ways (an added path and its parents against the untracked ones, an untracked
  // path's parents against the added ones): linear in the two lists, however long they are.
  const parentsAndSelf = (path: string): string[] => {
    const parts = path.split('/');
    return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  };
  const own = new Set(untracked);
  const added = new Set(stdout.split('\0').filter(Boolean));
  const hits = new Set<string>();
  for (const path of added) for (const above of parentsAndSelf(path)) if (own.has(above)) hits.add(above);
  for (const file of untracked) if (parentsAndSelf(file).slice(0, -1).some((above) => added.has(above))) hits.add(file);
  return [...hits].sort();
}

/**
 * Before the app is stopped for an update to `commit`: refuse (`local-changes`, listing the files)
 * what git would refuse once it is down — tracked edits, and untracked files (not ignored: git
 * overwrites ignored ones) the commit adds. `fetched` settles once `commit`'s objects are here; the
 * look at what it adds (one more git process) waits for it, and runs only when there are
 * untracked files at all.
 */
export async function assertCheckoutFits(opts: GitOptions, commit: string, fetched: Promise<unknown> = Promise.resolve()): Promise<void> {
  const { changed, untracked } = await workingTreeChanges(opts, true);
  if (changed.length > 0) throw localChangesError(opts, commit, changed);
  if (untracked.length === 0) return;
  await fetched;
  const collisions = await untrackedCollisions(opts, commit, untracked);
  if (collisions.length > 0) {
    throw new GitError(
      'local-changes',
      `${opts.localPath} has untracked files that ${commit.slice(0, 12)} adds, not updated (move or remove them): ${collisions.join(', ')}`,
      { files: collisions },
    );
  }
}
