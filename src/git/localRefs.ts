import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMIT = /^[0-9a-f]{40}$/;

/** The git dir of a repository given as a local path or file:// URL; undefined for anything else. */
export function localGitDir(remote: string): string | undefined {
  let dir: string;
  if (remote.startsWith('file://')) dir = fileURLToPath(remote);
  else if (path.isAbsolute(remote)) dir = remote;
  else return undefined;
  const isGitDir = (d: string) => existsSync(path.join(d, 'HEAD')) && existsSync(path.join(d, 'refs'));
  if (isGitDir(dir)) return dir;
  const dotGit = path.join(dir, '.git');
  return isGitDir(dotGit) && statSync(dotGit).isDirectory() ? dotGit : undefined;
}

/**
 * The commit `refs/heads/<branch>` points at in the git dir of a repository on this machine, read
 * the way git reads it (the loose ref, else `packed-refs`), or undefined whenever the answer is
 * not that simple (a symbolic ref, another ref format, a file that cannot be read): the caller
 * then asks git. A poll of a local repository costs a file read instead of a git process.
 */
export function readLocalBranch(gitDir: string, branch: string): string | undefined {
  return readLocalRef(gitDir, `refs/heads/${branch}`);
}

/** The commit a full ref name (`refs/remotes/origin/main`) points at, read like readLocalBranch. */
export function readLocalRef(gitDir: string, ref: string): string | undefined {
  try {
    const loose = readFileSync(path.join(gitDir, ...ref.split('/')), 'utf8').trim();
    return COMMIT.test(loose) ? loose : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  try {
    for (const line of readFileSync(path.join(gitDir, 'packed-refs'), 'utf8').split('\n')) {
      const [commit, name] = line.split(' ');
      if (name === ref && commit && COMMIT.test(commit)) return commit;
    }
  } catch {
    // No packed-refs either: let git say what there is.
  }
  return undefined;
}
