import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { kernelThreads, scanProcesses } from '../../../src/process/processTable.js';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { trackPid, cleanupProcesses } from './processHelpers.js';

afterEach(cleanupProcesses);

/** Whether PID 2 is the kernel's kthreadd, read independently of the code under test. */
function kthreaddVisible(): boolean {
  try {
    const stat = readFileSync('/proc/2/stat', 'latin1');
    const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
    return stat.startsWith('2 (kthreadd)') && (flags & 0x00200000) !== 0;
  } catch {
    return false;
  }
}

describe('the /proc scan', () => {
  it('leaves the kernel threads out on a host, and leaves nothing out in a container', () => {
    const kernel = kernelThreads();
    if (!kthreaddVisible()) {
      expect(kernel.size).toBe(0);
      return;
    }
    expect(kernel.size).toBeGreaterThan(0);
    const scan = scanProcesses();
    expect(scan.filter((p) => p.ppid === 2)).toEqual([]);
    // kthreadd is no child of itself: it is still there, as is init.
    expect(scan.map((p) => p.pid)).toContain(2);
  });

  it('still lists every user process, with its parent, group and session', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const pid = child.pid!;
    trackPid(pid);
    await waitFor(() => pidAlive(pid), { timeoutMs: 5000, what: 'sleep to run' });
    const scan = scanProcesses();
    const self = scan.find((p) => p.pid === process.pid);
    expect(self?.ppid).toBe(process.ppid);
    // Detached: the leader of a session and group of its own.
    expect(scan.find((p) => p.pid === pid)).toMatchObject({ ppid: process.pid, pgid: pid, sid: pid });
    expect(scanProcesses((p) => p === pid).some((p) => p.pid === pid)).toBe(false);
  });
});
