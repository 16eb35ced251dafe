import { readFileSync } from 'node:fs';

// When a daemon's new process appears, seen from outside and the same way for huddle and PM2: its
// main thread's list of children (both spawn from their main thread), read every millisecond. The
// figure is late by up to a poll, alike for both, so the two can be compared without the app's
// own start in them (which varies by several milliseconds from one start to the next).

export const CHILD_POLL_MS = 1;

/** True when `pid` runs the bench's app (`… app.py`), not a git of a poll that fell in the window. */
function runsTheApp(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').some((arg) => arg.endsWith('app.py'));
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface ChildWatch {
  /** performance.now() when a child absent at the start was first seen, or null; stops the watch. */
  stop(): number | null;
}

/** Start watching `daemonPid` for a child running the app that it did not have a moment ago. */
export function watchNewChild(daemonPid: number): ChildWatch {
  const before = new Set(childrenOf(daemonPid));
  let seenAt: number | null = null;
  const timer = setInterval(() => {
    const at = performance.now();
    // A child is seen from its fork, and runs the app from its exec, a fraction of a millisecond
    // later: one it does not run yet is looked at again on the next poll.
    if (childrenOf(daemonPid).some((pid) => !before.has(pid) && runsTheApp(pid))) {
      seenAt = at;
      clearInterval(timer);
    }
  }, CHILD_POLL_MS);
  // Never what keeps the bench alive.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return seenAt;
    },
  };
}
