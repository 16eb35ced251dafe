import { GitError } from './gitError.js';
import type { GitOptions } from './gitOptions.js';

// Values from a config file end up as git arguments; one starting with '-' would be read as
// an option (for example --upload-pack=<command>), so refuse it instead of running it.
function assertArgument(what: string, value: string): void {
  if (value === '' || value.startsWith('-') || /[\0\n\r]/.test(value)) {
    throw new GitError('unknown', `invalid ${what}: ${JSON.stringify(value)}`);
  }
}

export function assertRepositoryOptions(opts: GitOptions): void {
  assertArgument('remote path', opts.remotePath);
  assertArgument('remote name', opts.remote);
  assertArgument('branch', opts.branch);
  assertArgument('local path', opts.localPath);
}

export function assertCommitId(commit: string): void {
  if (!/^[0-9a-f]{4,64}$/i.test(commit)) {
    throw new GitError('unknown', `invalid commit id: ${JSON.stringify(commit)}`);
  }
}
