import type { AppContext } from '../../machines/app.types.js';
import { appLogger, type Logger } from '../log.js';
import type { ControlWatch } from './controlWatch.js';
import type { FleetControl } from './fleetControl.js';

interface Failure {
  app: string;
  commit: string;
  reason: string;
}

export interface FailureReporterDeps {
  fleet: FleetControl;
  watch: ControlWatch;
  nodeId: string;
  logger: Logger;
  /** `rollout.halt after` of the app; null: failures are recorded, never halt anything. */
  haltAfterOf: (app: string) => number | null;
  retryMs?: number;
}

/**
 * Tells the fleet about each commit this node quarantines (rolled back, or failed to install), so
 * that after `halt after` distinct nodes the commit is halted everywhere. Seen from the app's
 * snapshots; while etcd is away the reports queue and are sent once it answers.
 */
export class FailureReporter {
  private readonly known = new Map<string, Set<string>>();
  private readonly queue: Failure[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private closed = false;

  constructor(private readonly deps: FailureReporterDeps) {}

  observe(app: string, context: Pick<AppContext, 'persisted' | 'rolledBack' | 'lastError'>): void {
    const bad = context.persisted.badCommits;
    const seen = this.known.get(app);
    this.known.set(app, new Set(bad));
    // The first snapshot carries quarantines of earlier runs: reported then, not again.
    if (!seen) return;
    for (const commit of bad) {
      if (seen.has(commit) || this.deps.watch.control(app)?.halted.has(commit)) continue;
      const reason = context.rolledBack?.from === commit ? context.rolledBack.reason : (context.lastError?.message ?? 'quarantined');
      this.queue.push({ app, commit, reason });
    }
    void this.send();
  }

  forget(app: string): void {
    this.known.delete(app);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private async send(): Promise<void> {
    if (this.sending || this.closed) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const failure = this.queue[0]!;
        const log = appLogger(this.deps.logger, { app: failure.app, commit: failure.commit });
        try {
          const halted = await this.deps.fleet.recordFailure(
            failure.app, failure.commit, this.deps.nodeId, failure.reason, this.deps.haltAfterOf(failure.app),
          );
          this.queue.shift();
          log.info('rollout: failure reported to the fleet', { event: 'rollout' });
          if (halted) log.warn(`rollout: commit halted fleet-wide: ${halted.reason}`, { event: 'rollout' });
        } catch {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => void this.send(), this.deps.retryMs ?? 2000);
          return;
        }
      }
    } finally {
      this.sending = false;
    }
  }
}
