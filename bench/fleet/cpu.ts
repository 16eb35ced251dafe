import { readFileSync } from 'node:fs';

// Linux reports a process's CPU time in clock ticks; 100 per second on every common kernel.
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) another process used so far, from /proc; NaN if unreadable. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** This process's CPU time (user + system) so far, in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
