import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDaemonLock, DaemonAlreadyRunningError } from '../../src/daemon/lock.js';
import { lockFile } from '../../src/daemon/paths.js';
import { processStartTime } from '../../src/process/procInfo.js';
import { compileForChild } from './childModules.js';
import { tempDirs, waitFor } from './helpers.js';

const dirs = tempDirs();
let childDir = '';
const children = new Set<ChildProcess>();

beforeAll(async () => {
  childDir = await dirs.make();
  await compileForChild(childDir, ['src/daemon/lock.ts', 'src/daemon/paths.ts', 'src/process/procInfo.ts', 'src/process/processTable.ts', 'src/process/birthRegister.ts']);
  await writeFile(
    path.join(childDir, 'holder.js'),
    // Says "ready", waits for "go" on stdin (so several start their attempt at the same moment),
    // reports the outcome, and releases when stdin ends.
    `import { acquireDaemonLock } from './src/daemon/lock.js';
     let lock = null;
     let buffered = '';
     let started = false;
     process.stdin.on('data', async (chunk) => {
       buffered += chunk;
       if (started || !buffered.includes('go')) return;
       started = true;
       try {
         lock = await acquireDaemonLock(process.argv[2]);
         console.log('acquired');
       } catch (error) {
         console.log('refused: ' + error.message);
         process.exit(3);
       }
     });
     process.stdin.on('end', async () => { await lock?.release(); process.exit(0); });
     console.log('ready');`,
  );
});

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await Promise.all([...children].map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : null)));
  await dirs.cleanup();
});

interface Holder {
  child: ChildProcess;
  ready: Promise<string>;
  /** 'acquired' or 'refused: …' */
  outcome: Promise<string>;
  go(): void;
  exited: Promise<void>;
}

function startHolder(stateDir: string): Holder {
  const child = spawn(process.execPath, [path.join(childDir, 'holder.js'), stateDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  let out = '';
  const line = (n: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const lines = out.split('\n');
        if (lines.length > n + 1) resolve(lines[n] ?? '');
      };
      child.stdout?.on('data', check);
      check();
      child.once('exit', (code) => reject(new Error(`holder exited (${code}) early: ${out}`)));
    });
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const ready = line(0);
  const outcome = ready.then(() => line(1));
  outcome.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, ready, outcome, exited, go: () => child.stdin?.write('go\n') };
}

async function lockFiles(stateDir: string): Promise<string[]> {
  return (await readdir(stateDir)).filter((name) => /^daemon\.lock\.\d+$/.test(name));
}

describe('daemon lock', () => {
  it('records pid and start time and is released', async () => {
    const stateDir = await dirs.make();
    const lock = await acquireDaemonLock(stateDir);
    const record = JSON.parse(await readFile(lock.file, 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid) });
    await lock.release();
    expect(await lockFiles(stateDir)).toEqual([]);
    // free again
    const again = await acquireDaemonLock(stateDir);
    await again.release();
    await again.release(); // idempotent
  });

  it('refuses while another live process holds it, with a clear message', async () => {
    const stateDir = await dirs.make();
    const holder = startHolder(stateDir);
    await holder.ready;
    holder.go();
    expect(await holder.outcome).toBe('acquired');
    const error = await acquireDaemonLock(stateDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DaemonAlreadyRunningError);
    expect((error as Error).message).toBe(`another huddle daemon (pid ${holder.child.pid}) is using ${stateDir}`);
    // Released by its owner: free.
    holder.child.stdin?.end();
    await holder.exited;
    expect(await lockFiles(stateDir)).toEqual([]);
    const lock = await acquireDaemonLock(stateDir);
    await lock.release();
  });

  it('takes over the lock of a daemon that was killed', async () => {
    const stateDir = await dirs.make();
    const holder = startHolder(stateDir);
    await holder.ready;
    holder.go();
    expect(await holder.outcome).toBe('acquired');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const lock = await acquireDaemonLock(stateDir);
    expect(await lockFiles(stateDir)).toEqual([path.basename(lock.file)]); // the stale one is gone
    await lock.release();
  });

  it('takes over a lock whose PID now belongs to another process (start time differs)', async () => {
    const stateDir = await dirs.make();
    // Our own PID, alive, but with another start time: the recorded daemon is long gone.
    const startTime = (processStartTime(process.pid) ?? 0) + 12345;
    await writeFile(`${lockFile(stateDir)}.1`, JSON.stringify({ pid: process.pid, startTime, token: 'old', acquiredAt: 'x' }));
    const lock = await acquireDaemonLock(stateDir);
    expect(lock.file).toBe(`${lockFile(stateDir)}.2`);
    await lock.release();
  });

  it('takes over an unreadable lock file', async () => {
    const stateDir = await dirs.make();
    await writeFile(`${lockFile(stateDir)}.7`, 'garbage');
    const lock = await acquireDaemonLock(stateDir);
    expect(await lockFiles(stateDir)).toEqual(['daemon.lock.8']);
    await lock.release();
  });

  it('lets exactly one of many concurrent acquirers in one process win, also over a stale lock', async () => {
    for (const stale of [false, true]) {
      const stateDir = await dirs.make();
      if (stale) await writeFile(`${lockFile(stateDir)}.3`, JSON.stringify({ pid: 999_999_999, startTime: 1, token: 'dead', acquiredAt: 'x' }));
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireDaemonLock(stateDir)));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DaemonAlreadyRunningError);
      await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireDaemonLock>>>).value.release();
    }
  });

  it('lets exactly one of several daemons starting at once win over a stale lock', async () => {
    const stateDir = await dirs.make();
    await writeFile(`${lockFile(stateDir)}.1`, JSON.stringify({ pid: 999_999_999, startTime: 1, token: 'dead', acquiredAt: 'x' }));
    const holders = Array.from({ length: 4 }, () => startHolder(stateDir));
    await Promise.all(holders.map((h) => h.ready));
    for (const h of holders) h.go();
    const outcomes = await Promise.all(holders.map((h) => h.outcome));
    expect(outcomes.filter((o) => o === 'acquired')).toHaveLength(1);
    for (const o of outcomes.filter((o) => o !== 'acquired')) expect(o).toMatch(/^refused: another huddle daemon \(pid \d+\) is using /);
    const winner = holders[outcomes.indexOf('acquired')];
    expect(await lockFiles(stateDir)).toHaveLength(1);
    for (const h of holders) h.child.stdin?.end();
    await Promise.all(holders.map((h) => h.exited));
    await waitFor(async () => (await lockFiles(stateDir)).length === 0, 'the winner to release');
    expect(winner).toBeDefined();
  });

  it('release() leaves a lock that is no longer ours alone', async () => {
    const stateDir = await dirs.make();
    const lock = await acquireDaemonLock(stateDir);
    const foreign = JSON.stringify({ pid: process.pid, startTime: 1, token: 'someone-else', acquiredAt: 'x' });
    await writeFile(lock.file, foreign);
    await lock.release();
    expect(await readFile(lock.file, 'utf8')).toBe(foreign);
  });

  it('releaseSync() works for exit handlers', async () => {
    const stateDir = await dirs.make();
    const lock = await acquireDaemonLock(stateDir);
    lock.releaseSync();
    expect(await lockFiles(stateDir)).toEqual([]);
  });
});
