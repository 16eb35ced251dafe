import { readFileSync } from 'node:fs';

// When a daemon's new process appears, seen from outside and the same way for huddle and PM2: its
// main thread's list of children (both spawn from their main thread), read every millisecond. The
// figure is late by up to a poll, alike for both, so the two can be compared without the app's
// own start in them (which varies by several milliseconds from one start to the next).

export const CHILD_POLL_MS = 1;

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

/** Start watching `daemonPid` for a child it did not have a moment ago. */
export function watchNewChild(daemonPid: number): ChildWatch {
  const before = new Set(childrenOf(daemonPid));
  let seenAt: number | null = null;
  const timer = setInterval(() => {
    if (childrenOf(daemonPid).some((pid) => !before.has(pid))) {
      seenAt = performance.now();
      clearInterval(timer);
    }
  }, CHILD_POLL_MS);
  return {
    stop() {
      clearInterval(timer);
      return seenAt;
    },
  };
}
