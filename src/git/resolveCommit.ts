import { tmpdir } from 'node:os';
import { GitError } from './gitError.js';
import { gitIn, gitInRaw } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';
import { timeoutFor } from './gitOptions.js';
import { remoteUrl } from './remoteUrl.js';
import { runGit } from './runGit.js';
import { assertRepositoryOptions } from './validate.js';

const FULL_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

/**
 * A tag or branch as the remote has it now, asked with ls-remote (no objects downloaded, as
 * cheap as a poll): an annotated tag is peeled to its commit. Undefined when no such name.
 */
async function remoteRef(opts: GitOptions, ref: string): Promise<string | undefined> {
  const names = [`refs/tags/${ref}`, `refs/tags/${ref}^{}`, `refs/heads/${ref}`];
  // The peeled `^{}` line is listed only when asked for by its own pattern.
  const { stdout } = await runGit(opts.executable, ['ls-remote', remoteUrl(opts), ...names], {
    cwd: tmpdir(),
    timeoutMs: timeoutFor(opts, 'probe'),
    runAs: opts.runAs,
  });
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [commit, name] = line.split('\t');
    if (commit && name) found.set(name, commit);
  }
  // The peeled entry (the commit of an annotated tag) wins over the tag object itself.
  for (const name of [names[1], names[2], names[0]] as string[]) {
    const commit = found.get(name);
    if (commit) return commit;
  }
  return undefined;
}

/**
 * The full commit id an operator means by `ref` (`huddle deploy app <ref>`, `repository.ref`): a
 * full id as it is; a tag or branch as the remote has it now (a moved tag is followed); otherwise
 * an abbreviated id, looked up after fetching. The checkout must exist (ensureClone).
 */
export async function resolveCommit(opts: GitOptions, ref: string): Promise<string> {
  assertRepositoryOptions(opts);
  if (FULL_ID.test(ref)) return ref.toLowerCase();
  if (ref === '' || ref.startsWith('-') || /[\0\n\r\s]/.test(ref)) {
    throw new GitError('unknown', `invalid commit or ref: ${JSON.stringify(ref)}`);
  }
  const named = await remoteRef(opts, ref);
  if (named) return named;
  await gitIn(opts, ['fetch', '--quiet', remoteUrl(opts), `+refs/heads/*:refs/remotes/${opts.remote}/*`], 'transfer');
  const run = await gitInRaw(opts, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (run.code === 0) return run.stdout.trim();
  throw new GitError('not-found', `no commit, branch or tag ${JSON.stringify(ref)} on ${opts.remotePath}`);
}
