import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { GitError, type GitOptions } from '../../../src/git/index.js';
import type { TestRemote } from '../../fixtures/git/testRepo.js';

export function optionsFor(remote: TestRemote, localPath = join(remote.root, 'checkout')): GitOptions {
  return { executable: 'git', remotePath: remote.bare, localPath, remote: 'origin', branch: remote.branch };
}

/**
 * A git executable that records each invocation (its arguments, one line each) before running
 * the real git: lets a test count the git processes an operation costs.
 */
export async function recordingGit(dir: string): Promise<{ executable: string; calls: () => Promise<string[]> }> {
  const log = join(dir, 'git-calls.log');
  const executable = join(dir, 'git-recording');
  await writeFile(log, '');
  await writeFile(executable, `#!/bin/sh\necho "$*" >> '${log}'\nexec git "$@"\n`);
  await chmod(executable, 0o755);
  return {
    executable,
    calls: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
  };
}

/** The GitError `p` rejected with (failing the test when it resolved or threw something else). */
export async function gitRejection(p: Promise<unknown>): Promise<GitError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GitError);
  return e as GitError;
}
