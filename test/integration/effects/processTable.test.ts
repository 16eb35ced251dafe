import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { procIdentity } from '../../../src/process/birthRegister.js';
import { processStartTime } from '../../../src/process/procInfo.js';
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

  it('leaves out what started before `bornSince`, from a read or from what an earlier scan learnt, and lists what started since', async () => {
    const old = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    trackPid(old.pid!);
    await waitFor(() => processStartTime(old.pid!) !== undefined, { timeoutMs: 5000, what: 'the first sleep to run' });
    const oldStart = processStartTime(old.pid!)!;
    // Start times are in clock ticks: the second process must start in a later tick than the first.
    let young = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    trackPid(young.pid!);
    await waitFor(() => {
      const start = processStartTime(young.pid!);
      if (start === undefined) return false;
      if (start > oldStart) return true;
      young.kill('SIGKILL');
      young = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
      trackPid(young.pid!);
      return false;
    }, { timeoutMs: 5000, what: 'a sleep started in a later clock tick' });
    const since = processStartTime(young.pid!)!;
    expect(scanProcesses().map((p) => p.pid)).toEqual(expect.arrayContaining([old.pid, young.pid]));
    for (let scan = 0; scan < 3; scan++) {
      const pids = scanProcesses(undefined, since).map((p) => p.pid);
      expect(pids).toContain(young.pid);
      expect(pids).not.toContain(old.pid);
      expect(pids).not.toContain(process.pid);
    }
  });

  it('tells processes apart by the inode procfs shows them through: the same while one lives, another for another, not the same once it is gone', async () => {
    const a = spawn('sleep', ['30'], { stdio: 'ignore' });
    const b = spawn('sleep', ['30'], { stdio: 'ignore' });
    trackPid(a.pid!);
    trackPid(b.pid!);
    await waitFor(() => procIdentity(a.pid!) !== undefined && procIdentity(b.pid!) !== undefined, { timeoutMs: 5000, what: 'both sleeps to run' });
    expect(procIdentity(a.pid!)).toEqual(procIdentity(a.pid!));
    expect(procIdentity(a.pid!)?.ino).not.toBe(procIdentity(b.pid!)?.ino);
    const before = procIdentity(a.pid!);
    const exited = new Promise((resolve) => a.once('exit', resolve));
    a.kill('SIGKILL');
    await exited;
    // Gone, or (should the PID be handed out again at once) another inode.
    const after = procIdentity(a.pid!);
    if (after !== undefined) expect(after).not.toEqual(before);
  });
});
