import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Resource use of one process as the kernel counts it, read the same way for huddle's daemon and
// PM2's: resident memory from /proc/<pid>/status, CPU time from /proc/<pid>/stat.

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of the CPU times in /proc/<pid>/stat (100 on Linux almost everywhere). */
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** Resident set size (VmRSS) in bytes. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

export interface CpuTimes {
  /** The process's own user + system time, in seconds. */
  own: number;
  /** User + system time of its children that have exited and been waited for (git runs, for a daemon), in seconds. */
  children: number;
}

export function cpuTimes(pid: number): CpuTimes {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 (state) is index 0, so utime (14), stime, cutime, cstime are 11-14.
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  if ([utime, stime, cutime, cstime].some((n) => n === undefined || !Number.isFinite(n))) {
    throw new Error(`cannot read the CPU times of process ${pid}`);
  }
  const hz = clockTicks();
  return { own: (utime! + stime!) / hz, children: (cutime! + cstime!) / hz };
}

export function cpuDelta(before: CpuTimes, after: CpuTimes): CpuTimes {
  return { own: after.own - before.own, children: after.children - before.children };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
