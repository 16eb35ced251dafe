import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APP_SOURCE } from './paths.js';

const exec = promisify(execFile);

/** No user or system config, a fixed identity: the same repositories on every machine. */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'huddle bench',
    GIT_AUTHOR_EMAIL: 'bench@huddle.invalid',
    GIT_COMMITTER_NAME: 'huddle bench',
    GIT_COMMITTER_EMAIL: 'bench@huddle.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
  };
}

export async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, env: gitEnv() });
  return stdout.trim();
}

export const BRANCH = 'main';

/** An app's repository: the bare one huddle polls, and a clone the bench pushes from. */
export interface AppRepo {
  bare: string;
  work: string;
  head: string;
}

/** Write the bench app (`app.py` and `VERSION`) into `dir`. */
export async function writeAppFiles(dir: string, version: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await copyFile(APP_SOURCE, join(dir, 'app.py'));
  await writeFile(join(dir, 'VERSION'), `${version}\n`);
}

/** A bare repository under `dir` whose branch `main` holds the app at version `version`. */
export async function createAppRepo(dir: string, version = '1'): Promise<AppRepo> {
  const bare = join(dir, 'remote.git');
  const work = join(dir, 'work');
  await git(['init', '--quiet', '--bare', `--initial-branch=${BRANCH}`, bare], dir);
  await git(['init', '--quiet', `--initial-branch=${BRANCH}`, work], dir);
  await git(['remote', 'add', 'origin', bare], work);
  await writeAppFiles(work, version);
  const repo: AppRepo = { bare, work, head: '' };
  await commitAndPush(repo, `version ${version}`);
  return repo;
}

/** A second bare repository, a copy of `template`'s (one git process instead of a whole setup). */
export async function copyBareRepo(template: string, bare: string): Promise<void> {
  await git(['clone', '--quiet', '--bare', '--no-hardlinks', template, bare], '/');
}

export interface Pushed {
  commit: string;
  /** performance.now() when `git push` returned: the branch has moved on the bare repository. */
  pushedAt: number;
}

/** Commit VERSION = `version` in the work clone and push it. */
export async function pushVersion(repo: AppRepo, version: string): Promise<Pushed> {
  await writeFile(join(repo.work, 'VERSION'), `${version}\n`);
  return commitAndPush(repo, `version ${version}`);
}

async function commitAndPush(repo: AppRepo, message: string): Promise<Pushed> {
  await git(['add', '--all'], repo.work);
  await git(['commit', '--quiet', '-m', message], repo.work);
  const commit = await git(['rev-parse', 'HEAD'], repo.work);
  await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCH}`], repo.work);
  const pushedAt = performance.now();
  repo.head = commit;
  return { commit, pushedAt };
}
