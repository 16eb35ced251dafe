import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { appProcessFile, appStateDir, appStateFile, hookProcessFile } from './paths.js';
import {
  hookFileOf, isCode, loadAppState, loadProcessRecord, loadVersioned, moveAside, namesProcess, parseProcessRecord, serialise,
  unlinkQuietly, type LoadResult, type ProcessRecord,
} from './stateFiles.js';
import { replaceFileSync, TEMP_SUFFIX, writeFileAtomic } from '../util/atomicWrite.js';

export { writeFileAtomic, type AtomicWriteOptions } from '../util/atomicWrite.js';
export { loadAppState, loadProcessRecord, STATE_FILE_VERSION, type AppStateFile, type LoadResult, type ProcessRecord } from './stateFiles.js';

// The store of every app's state and process records in a state dir; the files' format is in
// ./stateFiles.ts.

export interface StateStoreOptions {
  /** Called when a background save fails (the next save retries with the newest value). */
  onError?: (app: string, error: Error) => void;
}

/** Which process a record names: the app's own (`<app>.pid.json`) or one of its hooks (one file each). */
export type ProcessRole = 'app' | 'hook';

export interface ProcessListing {
  records: Array<{ app: string; role: ProcessRole; record: ProcessRecord }>;
  errors: Array<{ file: string; error: string; movedTo: string | null }>;
}

interface Slot {
  /** The newest serialised state not yet handed to a write. */
  pending: string | null;
  /** The running write loop, if any. */
  draining: Promise<void> | null;
  /** The serialised state being written now, and the one last written (fsync'd). */
  inFlight: string | null;
  written: string | null;
  /** The error of the newest write, if it failed (cleared by one that succeeds), and what it wrote. */
  failed: Error | null;
  failedData: string | null;
  /** whenWritten() callers: told after each write. */
  waiters: Set<{ test: (state: unknown) => boolean; settle: (error?: Error) => void }>;
}

function stateIn(data: string): unknown {
  return (JSON.parse(data) as { state?: unknown }).state;
}

/**
 * Saves app states in the background: one write at a time per app, and while a write is running
 * further saves collapse into a single follow-up write of the newest value.
 */
export class StateStore {
  private readonly slots = new Map<string, Slot>();
  private readonly fileQueues = new Map<string, Promise<unknown>>();

  constructor(
    readonly stateDir: string,
    private readonly options: StateStoreOptions = {},
  ) {}

  /** Queue `state` (any JSON value) as `app`'s state. Errors go to `onError`; see flush(). */
  save(app: string, state: unknown): void {
    const slot = this.slotOf(app);
    // Serialised now: the caller may mutate its object once save() returns.
    slot.pending = serialise({ app, state });
    if (!slot.draining) slot.draining = this.drain(app, slot);
  }

  private async drain(app: string, slot: Slot): Promise<void> {
    const file = appStateFile(this.stateDir, app);
    while (slot.pending !== null) {
      const data = slot.pending;
      slot.pending = null;
      slot.inFlight = data;
      try {
        await this.serial(file, () => writeFileAtomic(file, data));
        slot.written = data;
        slot.inFlight = null;
        slot.failed = null;
        slot.failedData = null;
        this.tellWaiters(slot);
      } catch (error) {
        slot.inFlight = null;
        const failure = error instanceof Error ? error : new Error(String(error));
        slot.failed = failure;
        slot.failedData = data;
        for (const waiter of slot.waiters) waiter.settle(failure);
        this.options.onError?.(app, failure);
      }
    }
    slot.draining = null;
  }

  private slotOf(app: string): Slot {
    let slot = this.slots.get(app);
    if (!slot) {
      slot = { pending: null, draining: null, inFlight: null, written: null, failed: null, failedData: null, waiters: new Set() };
      this.slots.set(app, slot);
    }
    return slot;
  }

  /** The state on disk satisfies `test`, and so will every state queued after it. */
  private holds(slot: Slot, test: (state: unknown) => boolean): boolean {
    return [slot.written, slot.inFlight, slot.pending].every((data, i) => (data === null ? i > 0 : test(stateIn(data))));
  }

  private tellWaiters(slot: Slot): void {
    for (const waiter of slot.waiters) if (this.holds(slot, waiter.test)) waiter.settle();
  }

  /**
   * Resolves once `app`'s state on disk, written and fsync'd by save(), satisfies `test`, with no
   * queued save that does not (a state saved later never takes it back). At once when that is so
   * already. Rejects with the error of a write that fails meanwhile, or when `signal` aborts.
   * When the newest write failed and no save follows by the next turn of the event loop (the save
   * a caller waits for is queued right after the step that led to the call), that write is tried
   * again: a state that no longer changes would never be saved again (the disk full once, then
   * freed), and the wait would never end.
   */
  whenWritten(app: string, test: (state: unknown) => boolean, signal?: AbortSignal): Promise<void> {
    const slot = this.slotOf(app);
    if (this.holds(slot, test)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.settle(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      const waiter = {
        test,
        settle: (error?: Error) => {
          slot.waiters.delete(waiter);
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve();
        },
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      slot.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      setImmediate(() => {
        if (!slot.waiters.has(waiter) || slot.failedData === null || slot.pending !== null || slot.inFlight !== null) return;
        slot.pending = slot.failedData;
        slot.draining ??= this.drain(app, slot);
      });
    });
  }

  /** Resolves once every save made so far has been written (or has failed and been reported). */
  async flush(): Promise<void> {
    for (;;) {
      const running = [...this.slots.values()].map((slot) => slot.draining).filter((p) => p !== null);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  load<T = unknown>(app: string, validate?: (state: unknown) => T): Promise<LoadResult<T>> {
    return this.serial(appStateFile(this.stateDir, app), () => loadAppState(this.stateDir, app, validate));
  }

  /** Forget an app (its config was removed): waits for its pending save, then deletes its files. */
  async remove(app: string): Promise<void> {
    const slot = this.slots.get(app);
    if (slot) {
      slot.pending = null;
      await slot.draining;
      this.slots.delete(app);
    }
    const file = appStateFile(this.stateDir, app);
    await this.serial(file, () => rm(file, { force: true }));
    await this.clearProcess(app);
  }

  /**
   * Record the process just started for `app`: written before this returns, so a crash of the
   * daemon right after still finds it. No fsync: it describes a process, and no process outlives
   * a power loss (an unreadable record is moved aside like any other).
   */
  async recordProcess(app: string, record: ProcessRecord): Promise<void> {
    replaceFileSync(appProcessFile(this.stateDir, app), serialise({ app, ...record }));
  }

  /**
   * The process of `app` is gone: forget it (at once, like recordProcess, so the two never cross).
   * With `expected`, only if the record still names that process (same pid, start time and tag):
   * a process that exits late (killed by force while the app went on) must not delete the record
   * of the app's next process. Without it (recovery, removal), whatever is recorded.
   */
  async clearProcess(app: string, expected?: Pick<ProcessRecord, 'pid' | 'startTime' | 'tag'>): Promise<void> {
    const file = appProcessFile(this.stateDir, app);
    if (expected && !namesProcess(file, expected)) return;
    unlinkQuietly(file);
  }

  /** Record a hook (pre-pull, post-pull, install, reload) of `app` in a file of its own, named by its tag. */
  async recordHook(app: string, record: ProcessRecord & { tag: string }): Promise<void> {
    replaceFileSync(hookProcessFile(this.stateDir, app, record.tag), serialise({ app, ...record }));
  }

  /** The hook of `app` with this tag is gone: forget it (its own file only). */
  async clearHook(app: string, tag: string): Promise<void> {
    unlinkQuietly(hookProcessFile(this.stateDir, app, tag));
  }

  loadProcess(app: string): Promise<LoadResult<ProcessRecord>> {
    return this.serial(appProcessFile(this.stateDir, app), () => loadProcessRecord(this.stateDir, app));
  }

  /**
   * Every recorded process, including those of apps whose config is gone since the last run:
   * crash recovery must stop them too.
   */
  async listProcesses(): Promise<ProcessListing> {
    const listing: ProcessListing = { records: [], errors: [] };
    const dir = appStateDir(this.stateDir);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return listing;
      throw error;
    }
    for (const name of names.filter((n) => n.endsWith('.pid.json')).sort()) {
      const file = path.join(dir, name);
      // The file names are sanitised; the real app name (and a hook's tag) is inside.
      let app: unknown;
      let tag: unknown;
      try {
        ({ app, tag } = JSON.parse(await readFile(file, 'utf8')) as { app?: unknown; tag?: unknown });
      } catch {
        app = undefined;
      }
      const role = typeof app !== 'string' ? undefined
        : appProcessFile(this.stateDir, app) === file ? 'app'
          : typeof tag === 'string' && hookFileOf(this.stateDir, app, tag) === file ? 'hook' : undefined;
      if (typeof app !== 'string' || role === undefined) {
        listing.errors.push({ file, error: `${file}: not a process record`, movedTo: await moveAside(file) });
        continue;
      }
      const result = await this.serial(file, () => loadVersioned(file, app, parseProcessRecord));
      if (result.status === 'ok') listing.records.push({ app, role, record: result.value });
      else if (result.status === 'corrupt') listing.errors.push({ file, error: result.error, movedTo: result.movedTo });
    }
    return listing;
  }

  /** Wait for every pending save; the store stays usable (close is flush by another name). */
  close(): Promise<void> {
    return this.flush();
  }

  /** Run `fn` after every earlier operation on `file` has finished: no interleaved writes. */
  private serial<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.fileQueues.get(file) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.fileQueues.set(file, settled);
    void settled.then(() => {
      if (this.fileQueues.get(file) === settled) this.fileQueues.delete(file);
    });
    return result;
  }
}

/**
 * Open the state store of a state dir. Call it with the daemon lock held: temp files left by a
 * crashed writer are removed here, and only the lock holder may assume they are stale.
 */
export async function openStateStore(stateDir: string, options: StateStoreOptions = {}): Promise<StateStore> {
  const dir = appStateDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir)) {
    if (TEMP_SUFFIX.test(name)) await rm(path.join(dir, name), { force: true });
  }
  return new StateStore(stateDir, options);
}
