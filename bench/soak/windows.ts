import type { AppView } from './context.js';

// A planned window is the time an app may legitimately not serve because the soak did something
// to it: from the fault until the app serves again as it should (newest good version, current
// greeting, a new instance when the old one had to go, the bad commit quarantined). Downtime
// outside every window counts against the app's served share.

export interface PlannedWindow {
  id: number;
  app: string;
  fault: string;
  openedAt: number;
  closedAt: number | null;
  /** The app's instances alive when the fault hit: recovery means another one serves. */
  pidsBefore: Set<number>;
  /** Not closed before pidsBefore is known (a daemon kill learns it once the daemon is dead). */
  armed: boolean;
  /** A bad commit the daemon must have quarantined before the window closes. */
  badCommit: string | null;
}

export class PlannedWindows {
  private nextId = 1;
  readonly all: PlannedWindow[] = [];

  /** Opened unarmed: call arm() with the instances the fault is about. */
  open(view: AppView, fault: string): PlannedWindow {
    const window: PlannedWindow = {
      id: this.nextId++,
      app: view.app.name,
      fault,
      openedAt: Date.now(),
      closedAt: null,
      pidsBefore: new Set(),
      armed: false,
      badCommit: null,
    };
    this.all.push(window);
    return window;
  }

  openFor(app: string): PlannedWindow[] {
    return this.all.filter((w) => w.app === app && w.closedAt === null);
  }

  /** A window of `app` was open at some moment of [from, to]. */
  plannedDuring(app: string, from: number, to: number): boolean {
    return this.all.some((w) => w.app === app && w.openedAt <= to && (w.closedAt === null || w.closedAt >= from));
  }

  /** Close the windows of the app whose recovery `view` now shows; returns them. */
  closeRecovered(view: AppView): PlannedWindow[] {
    const closed: PlannedWindow[] = [];
    for (const window of this.openFor(view.app.name)) {
      if (recovered(window, view)) {
        window.closedAt = Date.now();
        closed.push(window);
      }
    }
    return closed;
  }
}

export function arm(window: PlannedWindow, pidsBefore: Iterable<number>): void {
  for (const pid of pidsBefore) window.pidsBefore.add(pid);
  window.armed = true;
}

/** Why the app has not recovered from the window's fault yet, or null when it has. */
export function notRecoveredBecause(window: PlannedWindow, view: AppView): string | null {
  const { probe, app } = view;
  if (!window.armed) return 'the fault is still being injected';
  if (!probe || probe.at < window.openedAt) return 'no probe since the fault';
  if (!probe.ok) return `not serving (${probe.error ?? 'no answer'})`;
  if (probe.version !== app.newestGood.version) return `serves version ${probe.version}, newest good is ${app.newestGood.version}`;
  if (probe.greeting !== app.greeting) return `serves greeting ${probe.greeting}, config says ${app.greeting}`;
  if (probe.pid !== null && window.pidsBefore.has(probe.pid)) return `an instance from before the fault (pid ${probe.pid}) still serves`;
  if (window.badCommit !== null && !(view.persisted?.badCommits ?? []).includes(window.badCommit)) {
    return `bad commit ${window.badCommit.slice(0, 7)} not quarantined yet`;
  }
  return null;
}

function recovered(window: PlannedWindow, view: AppView): boolean {
  return notRecoveredBecause(window, view) === null;
}
