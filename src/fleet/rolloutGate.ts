import type { AppContext, RolloutSlotInput, RolloutSlotOutput } from '../../machines/app.types.js';
import { rolloutSlots, type Rollout } from '../config/index.js';
import { appLogger, type Logger } from '../log.js';
import { abortable } from './abortable.js';
import type { ControlWatch } from './controlWatch.js';
import type { FleetControl } from './fleetControl.js';
import type { Presence } from './presence.js';
import type { FleetSemaphore, SlotHandle } from './semaphore.js';

interface HeldSlot {
  commit: string;
  handle: SlotHandle;
  since: number;
}

export interface RolloutGateDeps {
  fleet: FleetControl;
  watch: ControlWatch;
  presence: Presence;
  semaphore: FleetSemaphore;
  logger: Logger;
  /** The app's `[rollout]` section; undefined: no slot to take, and `proceed` when etcd is away. */
  policyOf: (app: string) => Rollout | undefined;
}

/**
 * Implements the app chart's `rolloutSlot`: may this node replace its running version now? It says
 * no to a commit the fleet halted, waits while an operator halted the app, and takes a slot of the
 * app's fleet-wide semaphore when the app has `max concurrent`. The slot outlives the actor: it is
 * given back once the app is healthy on the commit past its probation, or off it (rolled back,
 * failed, stopped), as `observe` sees from the app's snapshots.
 */
export class RolloutGate {
  private readonly held = new Map<string, HeldSlot>();

  constructor(private readonly deps: RolloutGateDeps) {}

  async ask({ app, commit, running }: RolloutSlotInput, signal: AbortSignal): Promise<RolloutSlotOutput> {
    const log = appLogger(this.deps.logger, { app, commit });
    const policy = this.deps.policyOf(app);
    for (;;) {
      let control;
      try {
        control = (await abortable(this.deps.fleet.read(app), signal)).control;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        // What was known before etcd went away still holds: a halted commit stays halted.
        const known = this.deps.watch.control(app)?.halted.get(commit);
        if (known) return { halted: known.reason };
        const why = `etcd unreachable (${(error as Error).message})`;
        if ((policy?.['on etcd loss'] ?? 'proceed') === 'proceed') {
          log.warn(`rollout: ${why}: updating alone`, { event: 'rollout' });
          return { halted: null };
        }
        throw new Error(`${why}: holding the update until it answers`);
      }
      const halted = control.halted.get(commit);
      if (halted) return { halted: halted.reason };
      if (control.halt) {
        log.info(`rollout: held, the fleet halted rollouts of the app (${control.halt.reason})`, { event: 'rollout' });
        await this.deps.watch.until(app, (c) => c.halt === null, signal);
        continue;
      }
      if (!running || policy === undefined) return { halted: null };
      const held = this.held.get(app);
      if (held) {
        // Still on probation with the previous commit: the slot carries over to this one.
        held.commit = commit;
        return { halted: null };
      }
      const nodes = (await abortable(this.deps.presence.list(app), signal).catch(() => [])).length;
      const limit = rolloutSlots(policy['max concurrent'], Math.max(1, nodes));
      const handle = await this.deps.semaphore.acquire(app, limit, signal);
      const now = this.deps.watch.control(app);
      const haltedMeanwhile = now?.halted.get(commit);
      if (haltedMeanwhile || now?.halt) {
        await handle.release();
        if (haltedMeanwhile) return { halted: haltedMeanwhile.reason };
        continue;
      }
      this.held.set(app, { commit, handle, since: Date.now() });
      log.info(`rollout: slot taken (at most ${limit} of ${Math.max(1, nodes)} node(s) at once)`, {
        event: 'rollout', slot: 'taken', limit, nodes,
      });
      return { halted: null };
    }
  }

  /** An app's new snapshot: gives its slot back once the update it was for is over. */
  observe(app: string, state: string, context: Pick<AppContext, 'persisted' | 'probation'>): void {
    const held = this.held.get(app);
    if (!held || !updateIsOver(state, context, held.commit)) return;
    this.release(app, held, `app ${state} on ${context.persisted.currentCommit?.slice(0, 12) ?? 'nothing'}`);
  }

  /** The app is gone from this node: its slot too. */
  forget(app: string): void {
    const held = this.held.get(app);
    if (held) this.release(app, held, 'app removed');
  }

  /** Whether this node holds a slot for `app` (for status and tests). */
  holds(app: string): boolean {
    return this.held.has(app);
  }

  private release(app: string, held: HeldSlot, why: string): void {
    this.held.delete(app);
    const lost = held.handle.lost;
    void held.handle.release().then(() => {
      appLogger(this.deps.logger, { app, commit: held.commit }).info(
        `rollout: slot ${lost ? 'was lost with the lease' : 'released'} after ${Date.now() - held.since} ms: ${why}`,
        { event: 'rollout', slot: 'released' },
      );
    });
  }
}

/** Healthy on the commit past its probation, or off it: rolled back, moved on, failed, stopped. */
export function updateIsOver(state: string, context: Pick<AppContext, 'persisted' | 'probation'>, commit: string): boolean {
  if (state === 'failed' || state === 'stopped' || state === 'off') return true;
  if (state !== 'healthy') return false;
  return context.persisted.currentCommit !== commit || context.probation === null;
}
