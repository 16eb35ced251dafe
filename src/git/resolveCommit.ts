import { GitError } from './gitError.js';
import { gitIn, gitInRaw } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';
import { remoteUrl } from './remoteUrl.js';
import { assertRepositoryOptions } from './validate.js';

const FULL_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

/**
 * The full commit id an operator means by `ref` (`huddle deploy app <ref>`): a full id as it is,
 * otherwise a branch, tag or abbreviated id, looked up after fetching the remote's branches and
 * tags. The checkout must exist (ensureClone).
 */
export async function resolveCommit(opts: GitOptions, ref: string): Promise<string> {
  assertRepositoryOptions(opts);
  if (FULL_ID.test(ref)) return ref.toLowerCase();
  if (ref === '' || ref.startsWith('-') || /[\0\n\r\s]/.test(ref)) {
    throw new GitError('unknown', `invalid commit or ref: ${JSON.stringify(ref)}`);
  }
  await gitIn(
    opts,
    ['fetch', '--quiet', '--tags', remoteUrl(opts), `+refs/heads/*:refs/remotes/${opts.remote}/*`],
    'transfer',
  );
  for (const candidate of [`refs/remotes/${opts.remote}/${ref}`, `refs/tags/${ref}`, ref]) {
    const run = await gitInRaw(opts, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]);
    if (run.code === 0) return run.stdout.trim();
  }
  throw new GitError('not-found', `no commit, branch or tag ${JSON.stringify(ref)} on ${opts.remotePath}`);
}
