import { readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GitError } from './gitError.js';
import type { GitOptions } from './gitOptions.js';

// The locks a checkout takes: a git killed while it held one (huddle's own, cut at its timeout; a
// daemon killed mid-checkout; a power loss) leaves it behind, and every later checkout fails with
// "Unable to create '…/index.lock': File exists" — found out only once the app is down.
const LOCKS = ['index.lock', 'HEAD.lock'];

/** When this process (the daemon) started: a lock older than that belongs to no git it runs. */
const STARTED_AT = performance.timeOrigin;
/** How old a lock from before the daemon's start must be to count as left behind. */
const STALE_AFTER_MS = 10 * 60_000;

/** Checkouts in which huddle killed a git at its timeout, and when: a lock from before is its own. */
const killedIn = new Map<string, number>();

/** runGit killed a git running in `cwd`. */
export function noteGitKilled(cwd: string, at = Date.now()): void {
  killedIn.set(resolve(cwd), at);
}

async function gitDirOf(localPath: string): Promise<string> {
  const dotGit = join(localPath, '.git');
  try {
    if ((await stat(dotGit)).isDirectory()) return dotGit;
    // A `gitdir: <path>` file (a worktree or a submodule's checkout).
    const line = /^gitdir: (.+)$/m.exec(await readFile(dotGit, 'utf8'))?.[1]?.trim();
    if (line) return isAbsolute(line) ? line : resolve(localPath, line);
  } catch {
    // No .git: nothing to clear here (the checkout's own checks report it).
  }
  return dotGit;
}

async function mtimeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Before the app is stopped for a checkout (and again before the checkout): a lock older than the
 * daemon and than 10 minutes, or left by a git huddle itself killed, is stale and removed (git's
 * own advice); any other
 * lock belongs to a git someone runs in the checkout now, and refuses the update with a `locked`
 * GitError (the old version keeps serving). Costs a stat per lock, no git process.
 * Resolves with the stale locks removed.
 */
export async function clearStaleLocks(opts: GitOptions): Promise<string[]> {
  const gitDir = await gitDirOf(opts.localPath);
  const killedAt = killedIn.get(resolve(opts.localPath));
  const removed: string[] = [];
  for (const name of LOCKS) {
    const file = join(gitDir, name);
    const mtime = await mtimeOf(file);
    if (mtime === undefined) continue;
    // Older than the daemon is not enough on its own: an operator's git started before a restart
    // may still hold it. No git holds one for minutes: past that, its git is gone.
    const stale = (mtime < STARTED_AT && Date.now() - mtime > STALE_AFTER_MS) || (killedAt !== undefined && mtime <= killedAt);
    if (!stale) {
      throw new GitError(
        'locked',
        `${file} exists: another git command is working in ${opts.localPath}; not updated (remove the file if no git runs there)`,
        { files: [file] },
      );
    }
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}
