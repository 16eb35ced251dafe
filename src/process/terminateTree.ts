import { collectTree, isAlive, signalTree, treeAlive } from './processTree.js';
import type { TreeMembers, TreeTarget } from './processTree.js';
import { treeKill } from './treeKill.js';

export interface TerminateOptions {
  /** The polite signal (the app's `stop signal`). */
  signal: NodeJS.Signals;
  /** How long the tree gets to exit after `signal` before everything left is SIGKILLed. */
  graceMs: number;
  /** Resolves when the root has exited (lets the wait end at once instead of on the next poll). */
  rootExited?: Promise<unknown>;
  /** How long to wait for SIGKILLed processes to vanish (a process in D state may take a while). */
  killWaitMs?: number;
}

export interface TerminateResult {
  /** Something was alive and got a signal. */
  signalled: boolean;
  /** The grace period passed and the tree was SIGKILLed. */
  forced: boolean;
}

const POLL_MS = 20;

function pause(ms: number, wake?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void wake?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitGone(target: TreeTarget, members: TreeMembers, ms: number, wake?: Promise<unknown>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!treeAlive(target, members)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await pause(Math.min(POLL_MS, left), wake);
    // Wake at most once on the root's exit; afterwards poll.
    wake = undefined;
  }
}

/** SIGKILL the group, every known member and (while the root lives) its tree through tree-kill. */
export async function forceKillTree(target: TreeTarget, members: TreeMembers = collectTree(target)): Promise<TreeMembers> {
  const now = collectTree(target, members);
  for (const [pid, start] of now) members.set(pid, start);
  // tree-kill first: it finds descendants through their parents, which SIGKILLing the group
  // would orphan. The group and the /proc snapshot catch what it cannot see.
  if (isAlive(target.pid, target.startTime)) await treeKill(target.pid, 'SIGKILL');
  signalTree(target, members, 'SIGKILL');
  return members;
}

/**
 * Stop a process tree: `signal` to the group and every member, wait up to `graceMs` for all of
 * them to exit, then SIGKILL whatever is left (tree-kill, the group, and every member).
 */
export async function terminateTree(target: TreeTarget, options: TerminateOptions): Promise<TerminateResult> {
  const members = collectTree(target);
  if (members.size === 0 && !treeAlive(target, members)) return { signalled: false, forced: false };
  signalTree(target, members, options.signal);
  if (await waitGone(target, members, options.graceMs, options.rootExited)) return { signalled: true, forced: false };
  await forceKillTree(target, members);
  const killWait = options.killWaitMs ?? 5000;
  if (!(await waitGone(target, members, killWait / 2))) {
    // Something was forked during the kill; one more round.
    await forceKillTree(target, members);
    await waitGone(target, members, killWait / 2);
  }
  return { signalled: true, forced: true };
}
