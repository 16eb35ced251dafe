import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * Calls `onMove` soon after `branch` of the repository in `gitDir` moves (a push, a commit, a
 * pack of the refs). Git updates a ref by renaming `<ref>.lock` over it, which the ref's directory
 * sees; `packed-refs` is watched too. Inotify costs nothing while nothing happens, so a push to a
 * repository on the same machine deploys at once rather than at the next poll (which still runs).
 */
export function watchLocalBranch(gitDir: string, branch: string, onMove: () => void): { close(): void } {
  const ref = path.join(gitDir, 'refs', 'heads', ...branch.split('/'));
  const watched: Array<{ dir: string; names: Set<string> }> = [
    { dir: path.dirname(ref), names: new Set([path.basename(ref)]) },
    { dir: gitDir, names: new Set(['packed-refs']) },
  ];
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    // A push touches the ref more than once (lock, rename): one poll for all of it.
    clearTimeout(timer);
    timer = setTimeout(onMove, 20);
  };
  const watchers: FSWatcher[] = [];
  for (const { dir, names } of watched) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(String(name))) fire();
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // The branch's directory does not exist yet (no such branch): polls still find it.
    }
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
