import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isSameProcess, processStartTime } from '../process/procInfo.js';
import { lockFile } from './paths.js';

// One daemon per state dir. The lock is a file created exclusively (link(2) of a complete temp
// file: never seen half-written) holding the owner's PID and process start time, so a lock left by
// a dead daemon, or whose PID now belongs to another process, is recognised as stale.
//
// Why generations (`daemon.lock.1`, `.2` …) instead of one file: replacing a stale lock file in
// place cannot be made race-free with POSIX calls (two daemons that both judged it stale could
// each delete the other's fresh lock). Instead the stale lock stays and the next generation is
// created exclusively: of two racers exactly one creates generation N+1. Whoever creates a
// generation then checks that no higher one exists (a racer that saw an older picture backs off),
// and only then removes the generations below its own.

export class DaemonAlreadyRunningError extends Error {
  override readonly name = 'DaemonAlreadyRunningError';
  constructor(
    readonly pid: number,
    readonly stateDir: string,
  ) {
    super(`another huddle daemon (pid ${pid}) is using ${stateDir}`);
  }
}

export interface LockRecord {
  pid: number;
  /** processStartTime(pid); null where /proc is unavailable (then only the PID is checked). */
  startTime: number | null;
  /** Tells two acquisitions by one process apart. */
  token: string;
  acquiredAt: string;
}

export interface DaemonLock {
  /** The lock file this daemon owns. */
  readonly file: string;
  readonly record: LockRecord;
  /** Remove the lock if it is still ours. Idempotent. */
  release(): Promise<void>;
  /** The same for `process.on('exit')`, where nothing asynchronous runs. */
  releaseSync(): void;
}

const MAX_ATTEMPTS = 50;

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return undefined;
    if (value.startTime !== null && !Number.isSafeInteger(value.startTime)) return undefined;
    if (typeof value.token !== 'string') return undefined;
    return value as LockRecord;
  } catch {
    return undefined;
  }
}

function ownerAlive(owner: LockRecord): boolean {
  if (owner.startTime !== null) return isSameProcess(owner.pid, owner.startTime);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}

/** Take the daemon lock of `stateDir`, or throw DaemonAlreadyRunningError naming the owner. */
export async function acquireDaemonLock(stateDir: string): Promise<DaemonLock> {
  const base = lockFile(stateDir);
  const dir = path.dirname(base);
  const prefix = `${path.basename(base)}.`;
  await mkdir(dir, { recursive: true });

  const generationFile = (generation: number): string => `${base}.${generation}`;
  const generations = async (): Promise<number[]> =>
    (await readdir(dir))
      .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
      .map((name) => Number(name.slice(prefix.length)))
      .sort((a, b) => a - b);

  const record: LockRecord = {
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? null,
    token: randomUUID(),
    acquiredAt: new Date().toISOString(),
  };
  const temp = `${base}.tmp-${process.pid}-${record.token}`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(`${JSON.stringify(record)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }

  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const top = (await generations()).at(-1) ?? 0;
      if (top > 0) {
        let text: string;
        try {
          text = await readFile(generationFile(top), 'utf8');
        } catch (error) {
          if (isCode(error, 'ENOENT')) continue; // released or cleaned meanwhile: look again
          throw error;
        }
        const owner = parseRecord(text);
        // An unreadable lock cannot have been written by a live daemon (it is linked complete).
        if (owner && ownerAlive(owner)) throw new DaemonAlreadyRunningError(owner.pid, stateDir);
      }
      const mine = generationFile(top + 1);
      try {
        await link(temp, mine);
      } catch (error) {
        if (isCode(error, 'EEXIST')) continue; // a racer took this generation: look again
        throw error;
      }
      if (((await generations()).at(-1) ?? 0) > top + 1) {
        // We acted on an outdated picture; whoever holds the higher generation decides.
        await removeIfOurs(mine, record.token);
        continue;
      }
      try {
        for (const older of await generations()) {
          if (older < top + 1) await rm(generationFile(older), { force: true });
        }
        await syncDir(dir);
      } catch (error) {
        // We hold the lock but are about to report failure: do not leave it held by a live PID.
        await removeIfOurs(mine, record.token).catch(() => undefined);
        throw error;
      }
      return makeLock(mine, record);
    }
    throw new Error(`could not take the daemon lock ${base}.* after ${MAX_ATTEMPTS} attempts (too many daemons starting at once?)`);
  } finally {
    await rm(temp, { force: true });
  }
}

async function removeIfOurs(file: string, token: string): Promise<void> {
  try {
    if (parseRecord(await readFile(file, 'utf8'))?.token === token) await unlink(file);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Not every file system can fsync a directory; the lock still works, it is just less durable.
  } finally {
    await handle.close();
  }
}

function makeLock(file: string, record: LockRecord): DaemonLock {
  let released = false;
  return {
    file,
    record,
    async release() {
      if (released) return;
      released = true;
      await removeIfOurs(file, record.token);
    },
    releaseSync() {
      if (released) return;
      released = true;
      try {
        if (parseRecord(readFileSync(file, 'utf8'))?.token === record.token) {
          unlinkSync(file);
          const fd = openSync(path.dirname(file), 'r');
          try {
            fsyncSync(fd);
          } catch {
            // as in syncDir
          } finally {
            closeSync(fd);
          }
        }
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
      }
    },
  };
}
