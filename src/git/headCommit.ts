import { readdirSync } from 'node:fs';
import { GitError, gitErrorSummary } from './gitError.js';
import { checkoutExists, gitInRaw } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';

/**
 * The commit checked out in `localPath`: null when there is no checkout yet (or it has no
 * commit), a `corrupt` GitError when the directory is not a usable git checkout.
 */
export async function headCommit(opts: GitOptions): Promise<string | null> {
  // Missing or empty: ensureClone treats both as "no checkout yet".
  if (!checkoutExists(opts) || readdirSync(opts.localPath).length === 0) return null;
  const run = await gitInRaw(opts, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (run.code === 0) return run.stdout.trim();
  // --quiet prints nothing and exits 1 for an unborn HEAD; anything on stderr is a real problem.
  if (run.code === 1 && run.stderr.trim() === '') return null;
  throw new GitError('corrupt', `${opts.localPath} is not a usable git checkout: ${gitErrorSummary(run.stderr)}`, {
    exitCode: run.code,
    stderr: run.stderr,
  });
}
