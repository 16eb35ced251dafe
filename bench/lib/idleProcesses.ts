import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { waitFor } from './waitFor.js';

// A production host runs hundreds of processes; this VM runs a few dozen besides its kernel
// threads. Some of huddle's work grows with them (the look for strays after an app's exit reads
// /proc), so `--host-processes N` keeps N idle processes alive for the whole run, started before
// any daemon, as a host's long-lived processes are. Each is `cat` reading a pipe from the bench:
// it exits at the end of the pipe, so none outlives the bench, whatever ends it.

export interface IdleProcesses {
  stop(): Promise<void>;
}

/** The processes /proc shows now (thread-group leaders, kernel threads included). */
export function processCount(): number {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
}

export async function startIdleProcesses(count: number): Promise<IdleProcesses> {
  const children: ChildProcess[] = [];
  const exits: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const child = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => undefined);
    exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
    children.push(child);
  }
  const stop = async (): Promise<void> => {
    for (const child of children) child.stdin?.end();
    await Promise.all(exits);
  };
  try {
    await waitFor(() => children.every((c) => c.pid !== undefined && c.exitCode === null), { timeoutMs: 30_000, intervalMs: 50, what: `${count} idle processes to start` });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
