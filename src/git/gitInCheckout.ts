import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GitError } from './gitError.js';
import type { GitOptions, TimeoutKind } from './gitOptions.js';
import { timeoutFor } from './gitOptions.js';
import type { GitRun } from './runGit.js';
import { runGit, runGitRaw } from './runGit.js';

/**
 * Env that stops git from searching above the checkout: without it, a checkout directory that
 * lost its .git but lives inside another repository (say, /srv inside an etckeeper'd tree) would
 * silently act on that outer repository.
 */
export function checkoutEnv(localPath: string): Record<string, string> {
  const parent = dirname(resolve(localPath));
  let ceiling = parent;
  try {
    ceiling = realpathSync(parent);
  } catch {
    // The parent does not exist yet; nothing to search anyway.
  }
  return { GIT_CEILING_DIRECTORIES: ceiling };
}

export function checkoutExists(opts: GitOptions): boolean {
  return existsSync(opts.localPath);
}

function assertCheckoutDir(opts: GitOptions): void {
  // Otherwise spawn fails with an ENOENT that reads like a missing git executable.
  if (!checkoutExists(opts)) throw new GitError('corrupt', `no checkout at ${opts.localPath} (ensureClone makes it)`);
}

/** Run git inside the checkout; a non-zero exit is a classified GitError. */
export async function gitIn(
  opts: GitOptions,
  args: readonly string[],
  timeout: TimeoutKind = 'local',
): Promise<GitRun> {
  assertCheckoutDir(opts);
  return runGit(opts.executable, args, {
    cwd: opts.localPath,
    timeoutMs: timeoutFor(opts, timeout),
    env: checkoutEnv(opts.localPath),
    runAs: opts.runAs,
  });
}

/** Run git inside the checkout and hand back the exit code instead of throwing on non-zero. */
export async function gitInRaw(
  opts: GitOptions,
  args: readonly string[],
  timeout: TimeoutKind = 'local',
): Promise<GitRun> {
  assertCheckoutDir(opts);
  return runGitRaw(opts.executable, args, {
    cwd: opts.localPath,
    timeoutMs: timeoutFor(opts, timeout),
    env: checkoutEnv(opts.localPath),
    runAs: opts.runAs,
  });
}
