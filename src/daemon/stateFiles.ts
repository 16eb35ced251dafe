import { readFileSync, unlinkSync } from 'node:fs';
import { lstat, readFile, rename } from 'node:fs/promises';
import { appProcessFile, appStateFile, hookProcessFile } from './paths.js';

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

export function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Keep a bad file for inspection under a name nothing reads: `<file>.corrupt-<time>`. */
export async function moveAside(file: string): Promise<string | null> {
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
export async function loadVersioned<T>(file: string, app: string, check: (parsed: Record<string, unknown>) => T): Promise<LoadResult<T>> {
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

export function parseProcessRecord(record: Record<string, unknown>): ProcessRecord {
  const { pid, startTime, commit, tag } = record;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) throw new Error('"pid" must be a positive integer');
  if (!Number.isSafeInteger(startTime) || (startTime as number) < 0) throw new Error('"startTime" must be a non-negative integer');
  if (commit !== null && typeof commit !== 'string') throw new Error('"commit" must be a string or null');
  if (tag !== undefined && typeof tag !== 'string') throw new Error('"tag" must be a string');
  return { pid: pid as number, startTime: startTime as number, commit, ...(tag === undefined ? {} : { tag }) };
}

export function serialise(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ version: STATE_FILE_VERSION, ...fields, savedAt: new Date().toISOString() }, null, 2)}\n`;
}

export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

/** The hook record file of that app and tag, or undefined for a tag no hook record can carry. */
export function hookFileOf(stateDir: string, app: string, tag: string): string | undefined {
  try {
    return hookProcessFile(stateDir, app, tag);
  } catch {
    return undefined;
  }
}

/** Does the record in `file` name this process? Read on the calling thread, like the writes. */
export function namesProcess(file: string, expected: Pick<ProcessRecord, 'pid' | 'startTime' | 'tag'>): boolean {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; startTime?: unknown; tag?: unknown };
    return record.pid === expected.pid && record.startTime === expected.startTime && record.tag === expected.tag;
  } catch {
    // Gone, or unreadable: nothing of ours to delete (recovery reports an unreadable one).
    return false;
  }
}
