import { fstatSync, statSync } from 'node:fs';

// A scan after an app's exit looks for what is left of its tree, and nothing born before the app's
// root can be part of it. Reading a process's start time costs a read of /proc/<pid>/stat (about
// 18 µs here); a host's hundreds of processes made a crash restart wait milliseconds on them, and
// almost all of them are the same long-lived processes from one scan to the next. A start time
// never changes while the process lives, so it can be remembered, if a reused PID is never taken
// for the process that had it before.
//
// What proves "same process" is the inode of /proc/<pid>/stat. procfs makes a new inode, with a new
// number from a counter and the time of its making, for every process it shows: the inode holds
// the process's own `struct pid`, and once the process is gone the kernel drops it, so a later
// process with the same PID gets another (test/integration/effects/pidReuse.test.ts hands a PID
// out again to check). Same inode number and same change time, then, means the same process. A
// different inode (also what a dropped cache gives the same process) only means the stat file is
// read again. The inode number is what carries the proof: the time is a coarse clock tick, the
// same for two processes made in one tick. The counter is 32 bits, shared with pipes and sockets,
// and wraps on a busy host; a false match would need a wrap onto the same number together with
// the wall clock stepped back onto the same tick. This is Linux's procfs; a /proc emulated
// elsewhere (gVisor, WSL1) is assumed to make an inode per process too.

/** Which inode of procfs shows a process: compared, never interpreted. */
export interface ProcIdentity {
  ino: number;
  ctimeMs: number;
}

interface Birth extends ProcIdentity {
  startTime: number;
}

/** The identity of `/proc/<pid>/stat` now, or undefined when the process is gone. */
export function procIdentity(pid: number): ProcIdentity | undefined {
  try {
    const stat = statSync(`/proc/${pid}/stat`, { throwIfNoEntry: false });
    return stat ? { ino: stat.ino, ctimeMs: stat.ctimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** The identity of an open `/proc/<pid>/stat`: the one the content read through `fd` came from. */
export function openProcIdentity(fd: number): ProcIdentity {
  const stat = fstatSync(fd);
  return { ino: stat.ino, ctimeMs: stat.ctimeMs };
}

/**
 * The start times seen by the scans, each with the identity it was read through. The register
 * holds what the latest listing held: `beginListing` starts a new one and what is not noted again
 * is forgotten when the next one begins, so it never outgrows the host's process table.
 */
export class BirthRegister {
  private previous = new Map<number, Birth>();
  private current = new Map<number, Birth>();

  constructor(private readonly identify: (pid: number) => ProcIdentity | undefined = procIdentity) {}

  beginListing(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /**
   * True when `pid` is the process seen before (its identity checked now, see above) and it
   * started before `since`. False means: read it.
   */
  bornBefore(pid: number, since: number): boolean {
    const birth = this.previous.get(pid);
    if (birth === undefined || birth.startTime >= since) return false;
    const now = this.identify(pid);
    if (now === undefined || now.ino !== birth.ino || now.ctimeMs !== birth.ctimeMs) return false;
    this.current.set(pid, birth);
    return true;
  }

  /** The start time of `pid`, read through the file whose identity is `identity`. */
  note(pid: number, identity: ProcIdentity, startTime: number): void {
    this.current.set(pid, { ino: identity.ino, ctimeMs: identity.ctimeMs, startTime });
  }
}
