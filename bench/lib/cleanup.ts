import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './waitFor.js';

// Everything the bench starts or creates is undone here, in reverse order, also on failure and on
// Ctrl-C. As a last resort, every process still carrying this run's marker in its environment
// (daemons, apps, git, PM2 and its apps all inherit it) is killed by PID.

/** Env var set on every process the bench starts; its value is unique to this run. */
export const MARKER_VAR = 'HUDDLE_BENCH_RUN';
export const MARKER = randomUUID();

type Undo = () => Promise<void> | void;
const undos: Undo[] = [];
/** Removed last, once no process of the run can still be writing into them. */
const tempDirs: string[] = [];

/** Undone after every process of the run is gone (a cgroup can be removed only once empty). */
const finalUndos: Undo[] = [];
export function onFinalCleanup(undo: Undo): void {
  finalUndos.push(undo);
}

/** Run `undo` at cleanup time (last registered, first run). Returns a function that runs it early, once. */
export function onCleanup(undo: Undo): () => Promise<void> {
  let done = false;
  const once: Undo = async () => {
    if (done) return;
    done = true;
    await undo();
  };
  undos.push(once);
  return async () => {
    await once();
    undos.splice(undos.indexOf(once), 1);
  };
}

/** A temp dir removed at cleanup. Short prefix: control sockets inside must stay under 108 bytes. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** PIDs of live processes whose environment holds this run's marker (never this process). */
export function markedProcesses(): number[] {
  const needle = `${MARKER_VAR}=${MARKER}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

export function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

let running: Promise<void> | null = null;

/**
 * Undo everything registered, kill whatever still carries the marker, remove the temp dirs. Called
 * after each scenario and on exit; a call during a cleanup waits for that one.
 */
export function cleanUpAll(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const undo = undos.pop()!;
      try {
        await undo();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
    await waitFor(
      () => {
        const left = markedProcesses();
        for (const pid of left) killPid(pid);
        return left.length === 0;
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'every process the bench started to be gone' },
    ).catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
    for (const undo of finalUndos.splice(0).reverse()) {
      try {
        await undo();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
    for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
  })().finally(() => {
    running = null;
  });
  return running;
}

/**
 * On SIGINT/SIGTERM: clean up, then exit (130/143). Signals that come while the cleanup runs are
 * noted and otherwise ignored: Ctrl-C reaches the whole process group (and `timeout` signals its
 * child and then the group), and dying halfway would leave the apps behind.
 */
export function cleanUpOnSignals(): void {
  let exiting = false;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (exiting) {
        console.error(`${signal}: still cleaning up (kill -9 ${process.pid} leaves processes behind)`);
        return;
      }
      exiting = true;
      console.error(`\n${signal}: cleaning up…`);
      void cleanUpAll().finally(() => process.exit(code));
    });
  }
}
