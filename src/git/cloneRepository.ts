import { GitError, classifyGitFailure, gitErrorSummary } from './gitError.js';
import type { GitOptions } from './gitOptions.js';
import { timeoutFor } from './gitOptions.js';
import { remoteUrl } from './remoteUrl.js';
import { credentialsOutOfArgs } from './urlCredentials.js';
import { gitEnv } from './runGit.js';
import { envAs } from '../process/account.js';

/**
 * Clone the remote branch into `into` (a fresh directory). A clone happens once per checkout, so
 * this cold path uses simple-git; the hot paths (probe, fetch, checkout) use runGit directly.
 *
 * simple-git's unsafe-operation checks guard against arguments and environment from untrusted
 * callers. Here the arguments are huddle's own (validated: nothing starts with '-') and the
 * environment is the operator's, which the hot paths hand to git unchanged: the configured
 * executable (the seed's `C:/Program Files/Git/bin/git.exe` has a space), huddle's no-prompt
 * settings (empty askpass, ssh in batch mode, no pager or editor) and whatever the service sets
 * (GIT_CONFIG_GLOBAL, GIT_CONFIG_COUNT/KEY_n, GIT_EXEC_PATH …). A clone must accept what a fetch does.
 */
const TRUSTED_ENVIRONMENT = {
  allowUnsafeCustomBinary: true,
  allowUnsafeAskPass: true,
  allowUnsafeSshCommand: true,
  allowUnsafeEditor: true,
  allowUnsafePager: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeGitProxy: true,
  allowUnsafeTemplateDir: true,
  allowUnsafeCredentialHelper: true,
} as const;

export async function cloneRepository(opts: GitOptions, into: string, cwd: string): Promise<void> {
  // A cold path (a first deploy): simple-git is loaded only when a clone happens.
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({
    baseDir: cwd,
    binary: opts.executable,
    // Reset by every line of progress: a slow but moving clone is not cut; a stalled one is.
    timeout: { block: timeoutFor(opts, 'transfer') },
    unsafe: TRUSTED_ENVIRONMENT,
    ...(opts.runAs ? { spawnOptions: { uid: opts.runAs.uid, gid: opts.runAs.gid } } : {}),
  });
  // The URL's credentials reach git through its environment (urlCredentials.ts), so neither `ps`
  // nor the checkout's .git/config shows them.
  const { args: [url = ''], env } = credentialsOutOfArgs([remoteUrl(opts)], process.env);
  git.env(gitEnv({ ...env, ...envAs(opts.runAs) }));
  try {
    await git.clone(url, into, ['--no-tags', '--progress', '--origin', opts.remote, '--branch', opts.branch]);
  } catch (error) {
    const text = (error as Error).message;
    throw new GitError(classifyGitFailure(text), `git clone failed: ${gitErrorSummary(text)}`, { stderr: text });
  }
}
