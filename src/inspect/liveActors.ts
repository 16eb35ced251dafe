import type { InspectionEvent, Snapshot } from 'xstate';

// The inspector may connect long after the daemon started (or reconnect after the relay
// restarted): rather than buffering old events, huddle remembers which actors are alive and
// announces each with its current snapshot when a connection opens. Remembering costs one map
// entry per live actor and nothing per event, so the daemon pays almost nothing while nobody
// listens.

/** Beyond this many tracked actors the oldest are forgotten (a guard, far above any real fleet). */
const MAX_TRACKED = 5_000;

interface Tracked {
  actorRef: InspectionEvent['actorRef'];
  rootId: string;
}

export class LiveActors {
  private readonly actors = new Map<string, Tracked>();

  /** Follow actor births and deaths. */
  observe(event: InspectionEvent): void {
    if (event.type === '@xstate.actor') {
      this.actors.set(event.actorRef.sessionId, { actorRef: event.actorRef, rootId: event.rootId });
      if (this.actors.size > MAX_TRACKED) this.actors.delete(this.actors.keys().next().value as string);
    } else if (event.type === '@xstate.snapshot' && (event.snapshot as { status?: string }).status !== 'active') {
      this.actors.delete(event.actorRef.sessionId);
    }
  }

  get size(): number {
    return this.actors.size;
  }

  /**
   * Inspection events that describe the system as it is now: for every live actor, parents first,
   * its registration and its current snapshot.
   */
  announce(): InspectionEvent[] {
    const events: InspectionEvent[] = [];
    for (const [sessionId, { actorRef, rootId }] of this.actors) {
      const snapshot = actorRef.getSnapshot() as Snapshot<unknown>;
      // An actor stopped before it ever ran leaves no final snapshot: drop it here.
      if (snapshot.status !== 'active') {
        this.actors.delete(sessionId);
        continue;
      }
      events.push({ type: '@xstate.actor', actorRef, rootId });
      events.push({ type: '@xstate.snapshot', actorRef, rootId, snapshot, event: { type: '@huddle.inspector.attached' } });
    }
    return events;
  }
}
