import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForChild } from '../../plumbing/childModules.js';

// The scan skips a process it knows started before the tree's root only while procfs shows it
// through the same inode (src/process/birthRegister.ts). The claim that a reused PID never shows
// the old inode is the kernel's, so it is tested against the kernel: in a PID namespace of its own
// (unshare, root only), a process is scanned, killed, and its PID handed out again through
// ns_last_pid; the scan must then list the new process instead of taking it for the old one.

const run = promisify(execFile);

async function canMakePidNamespace(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await run('unshare', ['--pid', '--fork', '--mount-proc', 'true']);
    return true;
  } catch {
    return false;
  }
}

const CHILD = `
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readProcEntry, scanProcesses } from './src/process/processTable.js';
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function started(child) {
  for (;;) {
    const start = readProcEntry(child.pid)?.startTime;
    if (start !== undefined) return start;
    await pause(5);
  }
}
const first = spawn('sleep', ['30'], { stdio: 'ignore' });
const firstStart = await started(first);
scanProcesses();
const exited = new Promise((resolve) => first.once('exit', resolve));
first.kill('SIGKILL');
await exited;
// Start times are clock ticks: the new process must start in a later one.
await pause(50);
writeFileSync('/proc/sys/kernel/ns_last_pid', String(first.pid - 1));
const second = spawn('sleep', ['30'], { stdio: 'ignore' });
const secondStart = await started(second);
const listed = scanProcesses(undefined, secondStart).some((p) => p.pid === second.pid);
second.kill('SIGKILL');
console.log(JSON.stringify({ first: first.pid, second: second.pid, firstStart, secondStart, listed }));
process.exit(0);
`;

describe('a reused PID', async () => {
  const supported = await canMakePidNamespace();
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hpid-'));
    await compileForChild(dir, ['src/process/processTable.ts', 'src/process/birthRegister.ts']);
    await writeFile(path.join(dir, 'child.mjs'), CHILD);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!supported)('is never taken for the process that had it: the scan reads and lists the new one (root only: a PID namespace of its own)', async () => {
    // Everything the child starts lives in the namespace, and ends with it when the child exits.
    const { stdout } = await run('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, path.join(dir, 'child.mjs')], { cwd: dir, timeout: 20_000 });
    const result = JSON.parse(stdout) as { first: number; second: number; firstStart: number; secondStart: number; listed: boolean };
    expect(result.second, 'the PID was handed out again').toBe(result.first);
    expect(result.secondStart).toBeGreaterThan(result.firstStart);
    expect(result.listed).toBe(true);
  });
});
