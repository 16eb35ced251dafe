import { randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { GitError, gitErrorSummary } from './gitError.js';
import { gitInRaw } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';
import { cloneRepository } from './cloneRepository.js';
import { assertRepositoryOptions } from './validate.js';

const CLONE_MARK = '.huddle-clone-';

type CheckoutState = 'missing' | 'empty' | 'present';

async function checkoutState(path: string): Promise<CheckoutState> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new GitError('corrupt', `cannot read checkout ${path}: ${(e as Error).message}`);
  }
  if (!info.isDirectory()) throw new GitError('corrupt', `checkout ${path} exists but is not a directory`);
  return (await readdir(path)).length === 0 ? 'empty' : 'present';
}

/** Throws a `corrupt` GitError unless `localPath` is itself the top of a git work tree with a valid HEAD. */
export async function verifyCheckout(opts: GitOptions): Promise<void> {
  const top = await gitInRaw(opts, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) {
    throw new GitError(
      'corrupt',
      `${opts.localPath} exists but is not a git checkout: ${gitErrorSummary(top.stderr)}`,
      { exitCode: top.code, stderr: top.stderr },
    );
  }
  const expected = await realpath(opts.localPath);
  if (top.stdout.trim() !== expected) {
    throw new GitError('corrupt', `${opts.localPath} is inside the git work tree ${top.stdout.trim()}, not a checkout of its own`);
  }
  const head = await gitInRaw(opts, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (head.code !== 0) {
    throw new GitError('corrupt', `${opts.localPath}: HEAD does not name a commit (broken or empty checkout)`, {
      exitCode: head.code,
      stderr: head.stderr,
    });
  }
}

// A daemon killed during a clone leaves its temporary sibling behind; it is never a checkout.
async function removeStaleClones(parent: string, name: string): Promise<void> {
  const prefix = `.${name}${CLONE_MARK}`;
  for (const entry of await readdir(parent)) {
    if (entry.startsWith(prefix)) await rm(join(parent, entry), { recursive: true, force: true });
  }
}

/**
 * Make sure `localPath` is a checkout of the remote branch: clone it when missing (or an empty
 * directory), otherwise verify it is a git work tree of its own (`corrupt` GitError if not).
 * The clone goes to a hidden sibling and is renamed into place, so an interrupted clone never
 * looks like a checkout.
 */
export async function ensureClone(opts: GitOptions): Promise<{ cloned: boolean }> {
  assertRepositoryOptions(opts);
  const target = resolve(opts.localPath);
  const state = await checkoutState(target);
  if (state === 'present') {
    await verifyCheckout(opts);
    return { cloned: false };
  }
  const parent = dirname(target);
  const name = basename(target);
  await mkdir(parent, { recursive: true });
  await removeStaleClones(parent, name);
  const temp = join(parent, `.${name}${CLONE_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    if (opts.runAs) {
      // git runs as the app's user, who may not write to `parent`: give it an empty directory.
      await mkdir(temp, { mode: 0o755 });
      await chown(temp, opts.runAs.uid, opts.runAs.gid);
    }
    await cloneRepository(opts, temp, parent);
    // rename(2) replaces an empty directory atomically, and fails if something appeared there.
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    if (e instanceof GitError) throw e;
    throw new GitError('unknown', `cannot place the clone at ${target}: ${(e as Error).message}`);
  }
  return { cloned: true };
}
