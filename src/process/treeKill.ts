import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import treeKillCallback from 'tree-kill';

let psAvailable: boolean | undefined;

// tree-kill walks the tree with `ps`; without ps its spawn emits an 'error' nobody can listen
// to, which would crash the daemon. Look once.
function hasPs(): boolean {
  if (psAvailable === undefined) {
    psAvailable = (process.env.PATH ?? '').split(delimiter).some((dir) => {
      try {
        accessSync(join(dir, 'ps'), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  }
  return psAvailable;
}

/**
 * Signal `pid` and all its descendants with tree-kill (which finds them through `ps --ppid`).
 * Never rejects; gives up waiting after `timeoutMs` (the signals already sent stay sent).
 */
export function treeKill(pid: number, signal: NodeJS.Signals, timeoutMs = 1000): Promise<void> {
  if (process.platform !== 'win32' && !hasPs()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      treeKillCallback(pid, signal, () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
