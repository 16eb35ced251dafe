// The soak's own timeline: every fault injected, every recovery seen, notable daemon lines. It is
// printed live, and printed again in full when a violation fails the run, so the report shows the
// sequence of events that led to it.

export type EventKind = 'setup' | 'fault' | 'restore' | 'recovered' | 'daemon' | 'check' | 'violation';

export interface SoakEvent {
  /** Milliseconds since the soak started. */
  at: number;
  kind: EventKind;
  app: string | null;
  message: string;
}

export class EventLog {
  readonly events: SoakEvent[] = [];
  private readonly startedAt = Date.now();

  constructor(private readonly live: boolean) {}

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  add(kind: EventKind, app: string | null, message: string): SoakEvent {
    const event: SoakEvent = { at: this.elapsedMs(), kind, app, message };
    this.events.push(event);
    if (this.live) process.stdout.write(`${formatEvent(event)}\n`);
    return event;
  }

  count(kind: EventKind): number {
    return this.events.filter((e) => e.kind === kind).length;
  }

  /** The whole log, one line per event. */
  format(): string {
    return this.events.map(formatEvent).join('\n');
  }
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3).padStart(8)}s`;
}

export function formatEvent(event: SoakEvent): string {
  return `${formatSeconds(event.at)}  ${event.kind.padEnd(9)}  ${(event.app ?? '*').padEnd(6)}  ${event.message}`;
}
