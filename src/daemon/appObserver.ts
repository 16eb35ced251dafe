import type { InspectionEvent, StateValue } from 'xstate';
import type { AppContext, AppPersisted } from '../../machines/app.types.js';
import { appStatus, type AppStatusView } from '../../machines/index.js';
import { appLogger, type Logger } from '../log.js';

interface Seen {
  state: string;
  since: Date;
  pid: number | null;
  /** When the running process started: uptime survives polls that pass through `fetching`. */
  pidSince: Date | null;
  persisted: string;
}

type AppSnapshot = { value: StateValue; context: AppContext; status: string };

function asAppSnapshot(snapshot: unknown): AppSnapshot | undefined {
  if (typeof snapshot !== 'object' || snapshot === null) return undefined;
  const context = (snapshot as { context?: Partial<AppContext> }).context;
  if (!context || typeof context !== 'object' || !context.spec || !context.persisted) return undefined;
  return snapshot as AppSnapshot;
}

/** Why a transition happened, for the log line: the event, and the error it carried. */
function reasonOf(event: { type: string; error?: unknown }, context: AppContext, to: string): string {
  // Entering `unhealthy` is when the log must say why, whichever event (a check's result, an exit) brought it.
  if (to === 'unhealthy' && context.failure) return context.failure.detail;
  if (event.type.startsWith('xstate.error.actor') && event.error !== undefined) {
    return `${event.type.replace(/\.[^.]*$/, '')}: ${event.error instanceof Error ? event.error.message : String(event.error)}`;
  }
  if (event.type.startsWith('xstate.done.actor')) return 'done';
  return event.type;
}

function isPollRoundTrip(from: string, to: string, pid: number | null): boolean {
  return pid !== null && ((from === 'healthy' && to === 'fetching') || (from === 'fetching' && to === 'healthy'));
}

/**
 * Watches every app actor of the system through xstate's inspection API: one log line per state
 * change (app, from, to, commit, reason), the time each app entered its state, and a save
 * whenever the part of the context that must survive a restart changes.
 */
export class AppObserver {
  /** By actor session: while a reconfigured app is replaced, the old and the new actor both report. */
  private readonly seen = new Map<string, Seen>();
  /** The newest actor of each app: the one whose state is persisted and shown. */
  private readonly latest = new Map<string, string>();

  constructor(
    private readonly logger: Logger,
    private readonly persist: (app: string, persisted: AppPersisted) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = asAppSnapshot(event.snapshot);
    if (!snapshot) return;
    const view = appStatus(snapshot);
    const session = event.actorRef.sessionId;
    const previous = this.seen.get(session);
    if (!previous) this.latest.set(view.name, session);
    const persisted = JSON.stringify(snapshot.context.persisted);
    if (!previous || previous.state !== view.state) {
      const log = appLogger(this.logger, { app: view.name, commit: view.commit });
      // A poll of a running app goes healthy → fetching → healthy: two lines per app and poll would
      // bury the log (and cost CPU) at rest, so they are debug lines; what a poll leads to is not.
      const pollRoundTrip = previous !== undefined && isPollRoundTrip(previous.state, view.state, view.pid);
      log[pollRoundTrip ? 'debug' : 'info'](`${previous?.state ?? 'new'} → ${view.state}`, {
        event: 'state',
        from: previous?.state ?? null,
        to: view.state,
        reason: reasonOf(event.event, snapshot.context, view.state),
      });
    }
    const since = !previous || previous.state !== view.state ? this.now() : previous.since;
    const pidSince = view.pid === null ? null : previous?.pid === view.pid ? previous.pidSince : this.now();
    if (snapshot.status === 'done') this.seen.delete(session);
    else this.seen.set(session, { state: view.state, since, pid: view.pid, pidSince, persisted });
    const newest = this.latest.get(view.name) === session;
    if (newest && previous?.persisted !== persisted) this.persist(view.name, snapshot.context.persisted);
  };

  /** When the app's process started, or, with none running, when it entered its state. */
  since(app: string): Date | undefined {
    const session = this.latest.get(app);
    const seen = session === undefined ? undefined : this.seen.get(session);
    return seen?.pidSince ?? seen?.since;
  }

  forget(app: string): void {
    const session = this.latest.get(app);
    if (session !== undefined) this.seen.delete(session);
    this.latest.delete(app);
  }
}

export type { AppStatusView };
