import type { AppPersisted } from '../../machines/app.types.js';
import type { AppStatus } from '../../src/control/types.js';
import type { AppTuning } from './appConfig.js';
import type { DaemonProcess } from './daemonProcess.js';
import type { EventLog } from './eventLog.js';
import type { Prng } from './prng.js';
import type { PlannedWindows } from './windows.js';
import type { SoakApp, World } from './world.js';

// What every part of the soak shares: the world, the daemon of the moment, what was last seen of
// each app, and the way to fail the run.

/** What one HTTP GET / of an app found. */
export interface Probe {
  /** When the request was sent, and when its answer (or failure) came. */
  at: number;
  doneAt: number;
  ok: boolean;
  version: number | null;
  greeting: string | null;
  pid: number | null;
  error: string | null;
}

export interface AppView {
  app: SoakApp;
  probe: Probe | null;
  /** The last `huddle status` entry of the app, and when it was taken. */
  status: AppStatus | null;
  statusAt: number;
  /** The app's state file as last read. */
  persisted: AppPersisted | null;
  /** Times the soak sent kill -9 to this app (to stay inside its restart budget). */
  kills: number[];
  /** A fault is under way against this app: no other app fault starts meanwhile. */
  busy: string | null;
}

export interface Violation {
  at: number;
  message: string;
}

export class SoakContext {
  daemon: DaemonProcess | null = null;
  /** Daemons started so far (the first one included). */
  daemonStarts = 0;
  /** Until then, processes left by a killed daemon may still be running (recovery stops them). */
  orphanGraceUntil = 0;
  /** A daemon kill and restart is under way: no other daemon fault, no app kill. */
  daemonBusy = false;
  readonly views = new Map<string, AppView>();
  readonly violations: Violation[] = [];
  readonly aborted = new AbortController();
  /** Faults injected, by `kind\tapp` ('*' for the daemon). */
  readonly faultCounts = new Map<string, number>();
  /** Lines the daemons printed (the newest few thousand), for a failure report. */
  readonly daemonLines: string[] = [];

  constructor(
    readonly world: World,
    readonly log: EventLog,
    readonly prng: Prng,
    readonly tuning: AppTuning,
    readonly windows: PlannedWindows,
    /** Share of hanging hooks during which the daemon is killed too. */
    readonly killInHook: number,
  ) {
    for (const app of world.apps) {
      this.views.set(app.name, { app, probe: null, status: null, statusAt: 0, persisted: null, kills: [], busy: null });
    }
  }

  view(app: string): AppView {
    const view = this.views.get(app);
    if (!view) throw new Error(`unknown app ${app}`);
    return view;
  }

  countFault(kind: string, app: string): void {
    const key = `${kind}\t${app}`;
    this.faultCounts.set(key, (this.faultCounts.get(key) ?? 0) + 1);
  }

  get failed(): boolean {
    return this.violations.length > 0;
  }

  /** Record a violation: it fails the run, which stops at once and prints the event log. */
  fail(app: string | null, message: string): void {
    this.violations.push({ at: this.log.elapsedMs(), message: app ? `${app}: ${message}` : message });
    this.log.add('violation', app, message);
    this.aborted.abort();
  }

  /** The daemon is up and answering (not between a kill and the next start). */
  get daemonReady(): boolean {
    return this.daemon !== null && this.daemon.running && this.daemon.readyAt !== null;
  }
}

/** Resolves after `ms`, or at once when the run is aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Wait until `check` returns something other than null/undefined/false, polling every
 * `intervalMs`; null when `timeoutMs` passes or the run is aborted first.
 */
export async function waitUntil<T>(
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs: number,
  signal: AbortSignal,
  intervalMs = 100,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) return null;
    await pause(intervalMs, signal);
  }
  return null;
}
