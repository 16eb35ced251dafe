import { readFileSync, unlinkSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { appProcessFile, appStateDir, appStateFile, hookProcessFile } from './paths.js';
import { replaceFileSync, TEMP_SUFFIX, writeFileAtomic } from '../util/atomicWrite.js';

export { writeFileAtomic, type AtomicWriteOptions } from '../util/atomicWrite.js';

// Per-app state survives the daemon: written atomically (temp file, fsync, rename, fsync dir) so
// a crash or power loss leaves either the old file or the new one, never a mix. The process record
// is replaced the same way without the fsyncs: it names a process, which a power loss ends too.
// A file that is nevertheless unreadable is moved aside for inspection and ignored: a daemon that
// refuses to start over a state file would be worse than one that forgot a restart count.

export const STATE_FILE_VERSION = 1;

/** What is on disk for an app's state; `state` is the caller's, validated by the caller. */
export interface AppStateFile {
  version: typeof STATE_FILE_VERSION;
  app: string;
  savedAt: string;
  state: unknown;
}

/** The app process the daemon last started: PID + start time identify it even after a reboot. */
export interface ProcessRecord {
  pid: number;
  /** processStartTime(pid): clock ticks since boot. */
  startTime: number;
  commit: string | null;
  /** The marker the process tree carries in its env (AppProcess.tag): finds orphans of the app. */
  tag?: string;
}

export type LoadResult<T> =
  | { status: 'missing' }
  | { status: 'ok'; value: T; savedAt: string }
  /** Reported, never fatal: the file was moved to `movedTo` (null when even that failed). */
  | { status: 'corrupt'; error: string; file: string; movedTo: string | null };

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Keep a bad file for inspection under a name nothing reads: `<file>.corrupt-<time>`. */
async function moveAside(file: string): Promise<string | null> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let attempt = 0; attempt < 5; attempt++) {
    const target = `${file}.corrupt-${stamp}${attempt ? `-${attempt}` : ''}`;
    try {
      await lstat(target);
      continue; // taken (two corrupt files in one millisecond)
    } catch (error) {
      if (!isCode(error, 'ENOENT')) return null;
    }
    try {
      await rename(file, target);
      return target;
    } catch {
      return null;
    }
  }
  return null;
}

/** Read a versioned JSON file written by this module; `check` validates its payload. */
async function loadVersioned<T>(file: string, app: string, check: (parsed: Record<string, unknown>) => T): Promise<LoadResult<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return { status: 'missing' };
    return { status: 'corrupt', error: `cannot read ${file}: ${message(error)}`, file, movedTo: await moveAside(file) };
  }
  let value: T;
  let savedAt: string;
  try {
    if (text.trim() === '') throw new Error('file is empty');
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    const record = parsed as Record<string, unknown>;
    if (record.version !== STATE_FILE_VERSION) {
      throw new Error(`unsupported version ${JSON.stringify(record.version)} (expected ${STATE_FILE_VERSION})`);
    }
    if (record.app !== app) throw new Error(`file belongs to app ${JSON.stringify(record.app)}, not ${JSON.stringify(app)}`);
    savedAt = typeof record.savedAt === 'string' ? record.savedAt : '';
    value = check(record);
  } catch (error) {
    return { status: 'corrupt', error: `${file}: ${message(error)}`, file, movedTo: await moveAside(file) };
  }
  return { status: 'ok', value, savedAt };
}

/**
 * Load an app's persisted state. `validate` turns the stored JSON into the caller's type and
 * throws (with a message) when it does not fit; that too counts as corrupt.
 */
export function loadAppState<T = unknown>(stateDir: string, app: string, validate?: (state: unknown) => T): Promise<LoadResult<T>> {
  return loadVersioned(appStateFile(stateDir, app), app, (record) => {
    if (!('state' in record)) throw new Error('no "state" key');
    return validate ? validate(record.state) : (record.state as T);
  });
}

/** Load the record of the app process the last daemon started. */
export function loadProcessRecord(stateDir: string, app: string): Promise<LoadResult<ProcessRecord>> {
  return loadVersioned(appProcessFile(stateDir, app), app, parseProcessRecord);
}

function parseProcessRecord(record: Record<string, unknown>): ProcessRecord {
  const { pid, startTime, commit, tag } = record;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) throw new Error('"pid" must be a positive integer');
  if (!Number.isSafeInteger(startTime) || (startTime as number) < 0) throw new Error('"startTime" must be a non-negative integer');
  if (commit !== null && typeof commit !== 'string') throw new Error('"commit" must be a string or null');
  if (tag !== undefined && typeof tag !== 'string') throw new Error('"tag" must be a string');
  return { pid: pid as number, startTime: startTime as number, commit, ...(tag === undefined ? {} : { tag }) };
}

function serialise(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ version: STATE_FILE_VERSION, ...fields, savedAt: new Date().toISOString() }, null, 2)}\n`;
}

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
  /** The error of the newest write, if it failed (cleared by one that succeeds). */
  failed: Error | null;
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
        this.tellWaiters(slot);
      } catch (error) {
        slot.inFlight = null;
        const failure = error instanceof Error ? error : new Error(String(error));
        slot.failed = failure;
        for (const waiter of slot.waiters) waiter.settle(failure);
        this.options.onError?.(app, failure);
      }
    }
    slot.draining = null;
  }

  private slotOf(app: string): Slot {
    let slot = this.slots.get(app);
    if (!slot) {
      slot = { pending: null, draining: null, inFlight: null, written: null, failed: null, waiters: new Set() };
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
   * already. Rejects with the error of a write that fails meanwhile, or when `signal` aborts; and
   * with the error of the newest write when it failed and no save follows by the next turn of the
   * event loop (the save a caller waits for is queued right after the step that led to the call):
   * no later write may ever come to settle the wait.
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
        if (slot.waiters.has(waiter) && slot.failed && slot.pending === null && slot.inFlight === null) waiter.settle(slot.failed);
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

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

/** The hook record file of that app and tag, or undefined for a tag no hook record can carry. */
function hookFileOf(stateDir: string, app: string, tag: string): string | undefined {
  try {
    return hookProcessFile(stateDir, app, tag);
  } catch {
    return undefined;
  }
}

/** Does the record in `file` name this process? Read on the calling thread, like the writes. */
function namesProcess(file: string, expected: Pick<ProcessRecord, 'pid' | 'startTime' | 'tag'>): boolean {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; startTime?: unknown; tag?: unknown };
    return record.pid === expected.pid && record.startTime === expected.startTime && record.tag === expected.tag;
  } catch {
    // Gone, or unreadable: nothing of ours to delete (recovery reports an unreadable one).
    return false;
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
