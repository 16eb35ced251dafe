import type { HaltedCommit } from './fleetControl.js';
import type { PresenceRecord } from './presence.js';

/** Where a rollout of one commit stands across the live nodes of an app. */
export interface Confirmation {
  app: string;
  commit: string;
  /** Live nodes healthy on the commit. */
  done: PresenceRecord[];
  /** Live nodes not (yet) healthy on it. */
  laggards: PresenceRecord[];
  /** Fewest live nodes that must run the app. */
  minNodes: number;
  halted: HaltedCommit | null;
}

/** `commit` may be abbreviated (at least 7 hex digits), as operators copy it from `git log`. */
export function sameCommit(full: string | null, commit: string): boolean {
  return full !== null && full.toLowerCase().startsWith(commit.toLowerCase());
}

export function confirmation(
  app: string, commit: string, records: PresenceRecord[], minNodes: number, halted: Iterable<HaltedCommit>,
): Confirmation {
  const ofApp = records.filter((r) => r.app === app);
  const isDone = (r: PresenceRecord) => r.state === 'healthy' && sameCommit(r.commit, commit);
  return {
    app,
    commit,
    done: ofApp.filter(isDone),
    laggards: ofApp.filter((r) => !isDone(r)),
    minNodes,
    halted: [...halted].find((h) => sameCommit(h.commit, commit)) ?? null,
  };
}

export function isConfirmed(c: Confirmation): boolean {
  return c.halted === null && c.laggards.length === 0 && c.done.length >= Math.max(1, c.minNodes);
}

/** The houston-style report of a rollout: every node on the commit, or who is behind and why. */
export function formatConfirmation(c: Confirmation, elapsedMs: number): string {
  const short = c.commit.slice(0, 12);
  const total = c.done.length + c.laggards.length;
  const after = `${(elapsedMs / 1000).toFixed(1)} s`;
  const lines: string[] = [];
  if (isConfirmed(c)) {
    lines.push(`${c.app}: ${short} is healthy on ${total}/${total} live node(s), confirmed after ${after}`);
    for (const r of c.done) lines.push(`  ${r.node}  healthy since ${r.since}`);
    return `${lines.join('\n')}\n`;
  }
  if (c.halted) lines.push(`${c.app}: ${short} is halted fleet-wide: ${c.halted.reason}`);
  lines.push(`${c.app}: ${short} is healthy on ${c.done.length}/${total} live node(s) after ${after}` +
    (total < c.minNodes ? ` (at least ${c.minNodes} needed)` : ''));
  if (c.laggards.length > 0) {
    lines.push('laggards:');
    for (const r of c.laggards) lines.push(`  ${r.node}  ${r.state} on ${r.commit?.slice(0, 12) ?? '(nothing)'} since ${r.since}`);
  }
  return `${lines.join('\n')}\n`;
}
