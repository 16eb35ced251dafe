import { describe, expect, it } from 'vitest';
import { BirthRegister, type ProcIdentity } from '../../src/process/birthRegister.js';

/** A fake procfs: which inode shows each PID now (a reused PID gets another). */
function fakeProc() {
  const shown = new Map<number, ProcIdentity>();
  const asked: number[] = [];
  const identify = (pid: number): ProcIdentity | undefined => {
    asked.push(pid);
    return shown.get(pid);
  };
  return { shown, asked, register: new BirthRegister(identify) };
}

describe('BirthRegister', () => {
  it('knows nothing before a scan noted it: every process is read', () => {
    const { shown, register } = fakeProc();
    shown.set(100, { ino: 1, ctimeMs: 10 });
    register.beginListing();
    expect(register.bornBefore(100, 50)).toBe(false);
  });

  it('leaves out a process seen before, older than asked, while procfs still shows it through the same inode', () => {
    const { shown, register } = fakeProc();
    shown.set(100, { ino: 1, ctimeMs: 10 });
    register.beginListing();
    register.note(100, { ino: 1, ctimeMs: 10 }, 5);
    register.beginListing();
    expect(register.bornBefore(100, 50)).toBe(true);
    // Started at or after `since`: the caller needs its fields, so it is read.
    expect(register.bornBefore(100, 5)).toBe(false);
  });

  it('never takes a reused PID for the process that had it: another inode, or the same number made at another time, means read it', () => {
    const { shown, register } = fakeProc();
    register.beginListing();
    register.note(100, { ino: 1, ctimeMs: 10 }, 5);
    register.note(101, { ino: 2, ctimeMs: 10 }, 5);
    register.note(102, { ino: 3, ctimeMs: 10 }, 5);
    register.beginListing();
    shown.set(100, { ino: 7, ctimeMs: 90 });
    // A wrapped inode counter that landed on the same number: the time of making differs.
    shown.set(101, { ino: 2, ctimeMs: 95 });
    // 102 is gone.
    expect(register.bornBefore(100, 50)).toBe(false);
    expect(register.bornBefore(101, 50)).toBe(false);
    expect(register.bornBefore(102, 50)).toBe(false);
  });

  it('keeps what the latest listing held: a process confirmed carries over, one not seen is forgotten', () => {
    const { shown, asked, register } = fakeProc();
    shown.set(100, { ino: 1, ctimeMs: 10 });
    shown.set(200, { ino: 2, ctimeMs: 10 });
    register.beginListing();
    register.note(100, { ino: 1, ctimeMs: 10 }, 5);
    register.note(200, { ino: 2, ctimeMs: 10 }, 5);
    register.beginListing();
    expect(register.bornBefore(100, 50)).toBe(true);
    // 200 is not in this listing (gone, or skipped by the caller).
    register.beginListing();
    expect(register.bornBefore(100, 50)).toBe(true);
    asked.length = 0;
    expect(register.bornBefore(200, 50)).toBe(false);
    // Forgotten, so not even looked at.
    expect(asked).toEqual([]);
  });
});
