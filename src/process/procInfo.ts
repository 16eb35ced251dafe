import { readProcEntry } from './processTable.js';

// A PID alone does not identify a process: after a crash or reboot the number may belong to
// someone else. PID + start time (clock ticks since boot, /proc/<pid>/stat field 22) does.

/** Start time of `pid` in clock ticks since boot, or undefined when no such process exists. */
export function processStartTime(pid: number): number | undefined {
  return readProcEntry(pid)?.startTime;
}

/** True when `pid` is alive and is still the process that started at `startTime`. */
export function isSameProcess(pid: number, startTime: number): boolean {
  const entry = readProcEntry(pid);
  // A zombie has exited already: it holds nothing and needs no stop.
  return entry !== undefined && entry.state !== 'Z' && entry.startTime === startTime;
}

/** The one-letter state of `pid` (R, S, D, Z, T …), or undefined when it does not exist. */
export function processState(pid: number): string | undefined {
  return readProcEntry(pid)?.state;
}
