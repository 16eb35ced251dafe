import { canRun, runAppFault, type AppFaultKind } from './appFaults.js';
import { pause, type SoakContext } from './context.js';
import { canKillDaemon, killAndRestartDaemon } from './daemonControl.js';

// Picks the next fault with the seeded PRNG, at random gaps, among those whose preconditions hold
// now, and runs it in the background: faults against different apps (and a daemon kill) overlap.

export type FaultKind = AppFaultKind | 'kill-daemon';

const WEIGHTS: ReadonlyArray<{ item: FaultKind; weight: number }> = [
  { item: 'kill-app', weight: 3 },
  { item: 'kill-daemon', weight: 1.5 },
  { item: 'remote-away', weight: 2 },
  { item: 'push-good', weight: 3 },
  { item: 'push-bad', weight: 2 },
  { item: 'hang-hook', weight: 1.5 },
  { item: 'config-valid', weight: 2 },
  { item: 'config-invalid', weight: 2 },
];

export interface SchedulerStats {
  /** Picks for which no target met the fault's preconditions. */
  skipped: number;
}

/** Inject faults until `endAt`; resolves once every fault started has finished. */
export async function runFaults(ctx: SoakContext, endAt: number, stats: SchedulerStats): Promise<void> {
  const running = new Set<Promise<void>>();
  const track = (task: Promise<void>): void => {
    const done = task.catch((error: unknown) => ctx.fail(null, `fault task crashed: ${(error as Error).stack ?? String(error)}`)).finally(() => running.delete(done));
    running.add(done);
  };
  const signal = ctx.aborted.signal;
  await pause(ctx.prng.between(1000, 3000), signal);
  while (!signal.aborted && Date.now() < endAt) {
    const kind = ctx.prng.weighted(WEIGHTS);
    if (kind === 'kill-daemon') {
      if (canKillDaemon(ctx)) {
        ctx.countFault(kind, '*');
        track(killAndRestartDaemon(ctx));
      } else stats.skipped++;
    } else {
      const targets = [...ctx.views.values()].filter((view) => canRun(ctx, kind, view));
      if (targets.length > 0) {
        const view = ctx.prng.pick(targets);
        ctx.countFault(kind, view.app.name);
        view.busy = kind;
        track(runAppFault(ctx, kind, view).finally(() => (view.busy = null)));
      } else stats.skipped++;
    }
    await pause(ctx.prng.between(800, 4000), signal);
  }
  await Promise.all([...running]);
}
