import { pause, type AppView, type SoakContext } from './context.js';
import { notRecoveredBecause, type PlannedWindow } from './windows.js';

/** A planned outage longer than this is a violation: the app did not recover. */
export const RECOVERY_LIMIT_MS = 90_000;

/** Wait until the window closes; fail the run if it does not in time. */
export async function awaitRecovery(ctx: SoakContext, view: AppView, window: PlannedWindow): Promise<void> {
  const deadline = window.openedAt + RECOVERY_LIMIT_MS;
  while (window.closedAt === null && !ctx.aborted.signal.aborted) {
    if (Date.now() > deadline) {
      const why = notRecoveredBecause(window, view) ?? 'unknown';
      ctx.fail(view.app.name, `did not recover from ${window.fault} within ${RECOVERY_LIMIT_MS / 1000} s: ${why}; status ${JSON.stringify(view.status)}`);
      return;
    }
    await pause(100, ctx.aborted.signal);
  }
}
