import { cgroupPids } from './cgroup.js';
import { hasEnvEntry, readProcEntry, scanListed, scanProcesses } from './processTable.js';
import type { ProcEntry } from './processTable.js';

/** Every process huddle starts carries this variable; descendants inherit it. */
export const PROCESS_TAG_VAR = 'HUDDLE_PROCESS_TAG';

/**
 * What huddle started: a process it made the leader of its own group (detached), known by PID
 * plus start time so a reused PID is never mistaken for it.
 */
export interface TreeTarget {
  pid: number;
  startTime: number;
  /** The value of PROCESS_TAG_VAR given to the process, when known. */
  tag?: string;
  /**
   * Whether the process group `pid` may be treated as ours once the root is gone. True for a
   * child this daemon reaped itself (its group id cannot be reused while members remain);
   * false for a process recorded by an earlier run, where only the tag is proof.
   */
  trustGroup: boolean;
  /**
   * The daemon's cgroup when it started the process (see cgroup.ts): the tree is looked for
   * among that cgroup's members instead of every process of the host. Unset: /proc is scanned.
   */
  cgroup?: string;
}

/** PID → start time of every process known to belong to the tree. */
export type TreeMembers = Map<number, number>;

/** True when `pid` is still the process that started at `startTime` and has not exited. */
export function isAlive(pid: number, startTime: number): boolean {
  const entry = readProcEntry(pid);
  return entry !== undefined && entry.startTime === startTime && entry.state !== 'Z';
}

/**
 * Whether signals to the process group `target.pid` reach only our processes: yes while the
 * root is alive (it leads the group); after it is gone only when trusted and no other process
 * has taken the PID (a PID that leads a live group is never handed out again).
 */
export function groupIsOurs(target: TreeTarget): boolean {
  const root = readProcEntry(target.pid);
  if (root) return root.startTime === target.startTime;
  return target.trustGroup;
}

// The roots this daemon started and that still run, each the leader of a session of its own
// (spawned detached, so setsid). Nothing of another tree can be in such a session: a process only
// ever joins a group of its own session, and setsid makes a new one. So the processes in these
// sessions need no look at their environment for another tree's tag, which on a busy host was
// most of the cost of a scan (and the scan delays every restart).
const liveRoots = new Map<number, number>();

/** Note a session-leading root while it runs; call the result once it has exited. */
export function trackLiveRoot(pid: number, startTime: number): () => void {
  liveRoots.set(pid, startTime);
  return () => {
    if (liveRoots.get(pid) === startTime) liveRoots.delete(pid);
  };
}

// The other live roots need no read at all: each leads a session of its own, its PID cannot be
// reused before this daemon reaps it (which untracks it first), and its start time is known. With
// many apps, that spares most of a scan.
const otherLiveRoot = (target: TreeTarget) => (pid: number): boolean => pid !== target.pid && liveRoots.has(pid);

/** The processes that may belong to the tree: started since its root, in its cgroup when known. */
function candidates(target: TreeTarget): ProcEntry[] {
  const skip = otherLiveRoot(target);
  const listed = target.cgroup === undefined ? undefined : cgroupPids(target.cgroup);
  return listed && target.cgroup !== undefined ? scanListed(listed, target.cgroup, skip, target.startTime) : scanProcesses(skip, target.startTime);
}

/**
 * The processes of the tree now: the root, the members of its process group, every descendant
 * of those (a child that moved to a group or session of its own while its parent lived), and
 * every process carrying the tag (found even after it was orphaned). Zombies are left out.
 */
export function collectTree(target: TreeTarget, known: TreeMembers = new Map()): TreeMembers {
  const isOtherRoot = otherLiveRoot(target);
  // Nothing started before the root can belong to its tree: the scan leaves those out, most of
  // them without a read, and none of their environments is searched for the tag.
  const all = candidates(target).filter((p) => p.state !== 'Z' && p.pid !== process.pid);
  const othersSessions = new Set([...liveRoots.keys()].filter(isOtherRoot));
  // The tag is looked for only where the parent is older than the root (or gone): a process of
  // the tree that lost its parent was adopted by init or an older subreaper, and one whose parent
  // is younger is either that parent's descendant (found below, from the parent) or not ours.
  const young = new Set(all.map((p) => p.pid));
  for (const [pid, startTime] of liveRoots) if (isOtherRoot(pid) && startTime >= target.startTime) young.add(pid);
  const members: TreeMembers = new Map();
  const add = (p: ProcEntry): void => {
    members.set(p.pid, p.startTime);
  };
  const ourGroup = groupIsOurs(target);
  for (const p of all) {
    if (p.pid === target.pid && p.startTime === target.startTime) add(p);
    else if (ourGroup && p.pgid === target.pid) add(p);
    else if (known.get(p.pid) === p.startTime) add(p);
    else if (othersSessions.has(p.sid) || young.has(p.ppid)) continue;
    else if (target.tag !== undefined && hasEnvEntry(p.pid, PROCESS_TAG_VAR, target.tag)) add(p);
  }
  // Descendants, to a fixed point (the table is not ordered parents-first).
  let grew = members.size > 0;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!members.has(p.pid) && members.has(p.ppid)) {
        add(p);
        grew = true;
      }
    }
  }
  return members;
}

/** Send `signal` to the group (when ours) and to every member still alive as the same process. */
export function signalTree(target: TreeTarget, members: TreeMembers, signal: NodeJS.Signals): void {
  if (groupIsOurs(target)) {
    try {
      process.kill(-target.pid, signal);
    } catch {
      // No such group (any more).
    }
  }
  for (const [pid, startTime] of members) {
    if (!isAlive(pid, startTime)) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // Exited between the check and the signal.
    }
  }
}

/** True while any known member, or any member of our group, is still alive. */
export function treeAlive(target: TreeTarget, members: TreeMembers): boolean {
  for (const [pid, startTime] of members) {
    if (isAlive(pid, startTime)) return true;
  }
  if (!groupIsOurs(target)) return false;
  // kill(-pgid, 0) is the cheap answer for "group empty"; zombies (unreaped in a container
  // without an init) make it say yes, so a yes is checked against /proc.
  try {
    process.kill(-target.pid, 0);
  } catch {
    return false;
  }
  // None of the group's members is older than the root: it leads a session of its own (setsid),
  // a process joins only a group of its own session, and only the root's descendants are in it.
  const inGroup = (p: ProcEntry) => p.pgid === target.pid && p.state !== 'Z' && p.pid !== process.pid;
  if (candidates(target).some(inGroup)) return true;
  // A member of the group outside the cgroup: moved without being asked (su under pam_systemd
  // puts its session in a scope of logind's). It still gets the group's signals, so it is waited
  // for, and killed, like any other: the whole host is looked at, only in this rare case.
  return target.cgroup !== undefined && scanProcesses(otherLiveRoot(target), target.startTime).some(inGroup);
}
