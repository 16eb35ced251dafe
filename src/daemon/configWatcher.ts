import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

// fs.watch alone is not trustworthy: events get lost, editors save by writing a temp file and
// renaming it over the original, and the watched directory itself may be replaced or deleted.
// So an event only says "look again": the truth is a rescan that hashes every config file and
// compares with the last scan. A slow periodic rescan catches whatever the events missed.

export interface ConfigChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

export interface ConfigWatcherOptions {
  dir: string;
  /** Which file names are configs (the config module's isConfigFileName). */
  isConfigFile: (name: string) => boolean;
  /** One batch per scan that found something. Awaited: the next batch waits for it. */
  onChanges: (changes: ConfigChanges) => void | Promise<void>;
  /** Problems (dir missing, unreadable file, watch failure), each reported once until it clears. */
  onError?: (error: Error) => void;
  /** Quiet time after the last event before rescanning; default 200 ms. */
  debounceMs?: number;
  /** Safety-net rescan period; default 60 s; 0 turns it off. */
  rescanIntervalMs?: number;
  /** How often to look for a dir that is missing or could not be watched; default 2 s. */
  retryMs?: number;
  /** Deliver the files found at start as one `added` batch before startConfigWatcher resolves; default true. */
  emitInitial?: boolean;
}

export interface ConfigWatcher {
  readonly dir: string;
  /** Absolute paths of the config files known now. */
  files(): string[];
  /** Rescan now (SIGHUP); resolves with what that scan found, after it was delivered. */
  rescan(): Promise<ConfigChanges>;
  /** Stop watching; resolves once no scan runs and no timer or watcher is left. */
  close(): Promise<void>;
}

const EMPTY: ConfigChanges = { added: [], changed: [], removed: [] };

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export async function startConfigWatcher(options: ConfigWatcherOptions): Promise<ConfigWatcher> {
  const watcher = new DirWatcher(options);
  await watcher.start(options.emitInitial ?? true);
  return watcher;
}

class DirWatcher implements ConfigWatcher {
  readonly dir: string;
  private known = new Map<string, string>(); // path → content hash
  private fsWatcher: FSWatcher | null = null;
  private watchedIno: number | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private firstEventAt = 0;
  private periodicTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private queued: Promise<ConfigChanges> | null = null;
  private problems = new Set<string>();
  private closed = false;

  constructor(private readonly options: ConfigWatcherOptions) {
    this.dir = path.resolve(options.dir);
  }

  async start(emitInitial: boolean): Promise<void> {
    const initial = this.running.then(() => this.scan(emitInitial));
    this.running = initial.catch(() => undefined);
    await initial;
    const interval = this.options.rescanIntervalMs ?? 60_000;
    if (interval > 0 && !this.closed) this.periodicTimer = setInterval(() => void this.rescan(), interval);
  }

  files(): string[] {
    return [...this.known.keys()].sort();
  }

  rescan(): Promise<ConfigChanges> {
    // A scan that has not started yet sees everything a second request would: share it.
    if (this.queued) return this.queued;
    const run = this.running.then(() => {
      this.queued = null;
      return this.scan(true);
    });
    this.queued = run;
    this.running = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of [this.debounceTimer, this.retryTimer]) if (timer) clearTimeout(timer);
    if (this.periodicTimer) clearInterval(this.periodicTimer);
    this.debounceTimer = this.retryTimer = this.periodicTimer = null;
    this.unwatch();
    await this.running;
  }

  private onEvent(): void {
    if (this.closed) return;
    const debounce = this.options.debounceMs ?? 200;
    const now = Date.now();
    if (this.debounceTimer) {
      clearTimeout(this.debounceTimer);
    } else {
      this.firstEventAt = now;
    }
    // A file rewritten without pause must still be picked up: never wait more than 5 debounces.
    const wait = Math.max(0, Math.min(debounce, this.firstEventAt + 5 * debounce - now));
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      void this.rescan();
    }, wait);
  }

  private watchDir(ino: number): void {
    if (this.fsWatcher && this.watchedIno === ino) return;
    this.unwatch();
    try {
      const fsWatcher = watch(this.dir, () => this.onEvent());
      fsWatcher.on('error', (error) => {
        // Typically the dir was deleted or replaced: drop the watcher and find the dir again.
        this.report('watch', new Error(`watching ${this.dir} failed: ${asError(error).message}`));
        if (this.fsWatcher === fsWatcher) this.unwatch();
        this.scheduleRetry();
      });
      this.fsWatcher = fsWatcher;
      this.watchedIno = ino;
    } catch (error) {
      this.report('watch', new Error(`cannot watch ${this.dir}: ${asError(error).message}`));
      this.scheduleRetry();
    }
  }

  private unwatch(): void {
    this.fsWatcher?.close();
    this.fsWatcher = null;
    this.watchedIno = null;
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.rescan();
    }, this.options.retryMs ?? 2_000);
  }

  private report(key: string, error: Error): void {
    this.currentProblems?.add(key);
    if (this.problems.has(key)) return;
    this.problems.add(key);
    this.options.onError?.(error);
  }

  private currentProblems: Set<string> | null = null;

  private async scan(emit: boolean): Promise<ConfigChanges> {
    if (this.closed) return EMPTY;
    this.currentProblems = new Set();
    try {
      const next = await this.readConfigs();
      if (!next) return EMPTY; // dir unavailable: keep what we knew (see readConfigs)
      const changes: ConfigChanges = { added: [], changed: [], removed: [] };
      for (const [file, hash] of next) {
        const before = this.known.get(file);
        if (before === undefined) changes.added.push(file);
        else if (before !== hash) changes.changed.push(file);
      }
      for (const file of this.known.keys()) if (!next.has(file)) changes.removed.push(file);
      this.known = next;
      const empty = changes.added.length + changes.changed.length + changes.removed.length === 0;
      if (emit && !empty && !this.closed) {
        for (const list of Object.values(changes)) list.sort();
        try {
          await this.options.onChanges(changes);
        } catch (error) {
          this.options.onError?.(asError(error));
        }
      }
      return changes;
    } finally {
      // A problem not seen in this scan has cleared: report it again if it comes back.
      for (const key of this.problems) if (!this.currentProblems.has(key)) this.problems.delete(key);
      this.currentProblems = null;
    }
  }

  /** The config files and their hashes, or null when the dir cannot be listed. */
  private async readConfigs(): Promise<Map<string, string> | null> {
    let entries;
    let ino: number;
    try {
      ino = (await stat(this.dir)).ino;
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      // A missing dir is not "every app removed": a tool may be replacing it, or it is not
      // created yet. Keep the apps running and look again later.
      this.unwatch();
      const why = isCode(error, 'ENOENT', 'ENOTDIR') ? 'does not exist' : `cannot be read (${asError(error).message})`;
      this.report('dir', new Error(`config dir ${this.dir} ${why}; retrying every ${this.options.retryMs ?? 2_000} ms`));
      this.scheduleRetry();
      return null;
    }
    if (!this.closed) this.watchDir(ino);
    const next = new Map<string, string>();
    for (const entry of entries) {
      if (entry.isDirectory() || !this.options.isConfigFile(entry.name)) continue;
      const file = path.join(this.dir, entry.name);
      try {
        next.set(file, createHash('sha256').update(await readFile(file)).digest('hex'));
      } catch (error) {
        if (isCode(error, 'ENOENT', 'EISDIR')) continue; // gone since readdir, or a link to a dir
        this.report(`file:${file}`, new Error(`cannot read config file ${file}: ${asError(error).message}`));
        // Unreadable for now is not removed: keep the app as it is.
        const before = this.known.get(file);
        if (before !== undefined) next.set(file, before);
      }
    }
    return next;
  }
}
