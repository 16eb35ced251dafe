import { readFileSync } from 'node:fs';

// A PID alone does not identify a process: after a crash or reboot the number may belong to
// someone else. PID + start time (clock ticks since boot, /proc/<pid>/stat field 22) does.

/** Start time of `pid` in clock ticks since boot, or undefined when no such process exists. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces or ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 is rest[19].
  const ticks = Number(rest[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** True when `pid` is alive and is still the process that started at `startTime`. */
export function isSameProcess(pid: number, startTime: number): boolean {
  const now = processStartTime(pid);
  if (now === undefined) return false;
  // A zombie has exited already: it holds nothing and needs no stop.
  if (processState(pid) === 'Z') return false;
  return now === startTime;
}

/** The one-letter state of `pid` (R, S, D, Z, T …), or undefined when it does not exist. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
