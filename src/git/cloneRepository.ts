import { simpleGit } from 'simple-git';
import { GitError, classifyGitFailure, gitErrorSummary } from './gitError.js';
import type { GitOptions } from './gitOptions.js';
import { timeoutFor } from './gitOptions.js';
import { remoteUrl } from './remoteUrl.js';
import { gitEnv } from './runGit.js';

/**
 * Clone the remote branch into `into` (a fresh directory). A clone happens once per checkout, so
 * this cold path uses simple-git; the hot paths (probe, fetch, checkout) use runGit directly.
 *
 * The `unsafe` switches only let through what huddle itself sets: the configured git executable
 * (the seed's `C:/Program Files/Git/bin/git.exe` has a space) and the environment that keeps git
 * from ever prompting (empty askpass, ssh in batch mode, no pager or editor).
 */
export async function cloneRepository(opts: GitOptions, into: string, cwd: string): Promise<void> {
  const git = simpleGit({
    baseDir: cwd,
    binary: opts.executable,
    // Reset by every line of progress: a slow but moving clone is not cut; a stalled one is.
    timeout: { block: timeoutFor(opts, 'transfer') },
    unsafe: {
      allowUnsafeCustomBinary: true,
      allowUnsafeAskPass: true,
      allowUnsafeSshCommand: true,
      allowUnsafeEditor: true,
      allowUnsafePager: true,
    },
  }).env(gitEnv());
  try {
    await git.clone(remoteUrl(opts), into, ['--no-tags', '--progress', '--origin', opts.remote, '--branch', opts.branch]);
  } catch (error) {
    const text = (error as Error).message;
    throw new GitError(classifyGitFailure(text), `git clone failed: ${gitErrorSummary(text)}`, { stderr: text });
  }
}
