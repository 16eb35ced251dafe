import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import type { EffectsHost, ProcessRole, RecordedProcess } from './effects/index.js';
import type { StateStore } from './stateStore.js';

/** What the effects write to the state dir: the processes they start, and an update's mark. */
export function stateEffects(store: StateStore, logger: Logger): Pick<EffectsHost, 'processStarted' | 'processExited' | 'updateStarting'> {
  return {
    processStarted: (name: string, proc: RecordedProcess, commit: string, role: ProcessRole) => {
      const record = { pid: proc.pid, startTime: proc.startTime, commit, tag: proc.tag };
      void (role === 'hook' ? store.recordHook(name, record) : store.recordProcess(name, record))
        .catch((error: Error) => logger.error(`cannot record pid: ${error.message}`, { app: name }));
    },
    processExited: (name: string, proc: RecordedProcess, role: ProcessRole) => {
      void (role === 'hook' ? store.clearHook(name, proc.tag) : store.clearProcess(name, proc)).catch(() => undefined);
    },
    updateStarting: async (name: string, signal: AbortSignal) => {
      const begun = performance.now();
      // The chart marks the update (deploying) when it stops the app, and unsets currentCommit
      // when the update begins; either, once on disk, keeps a booting daemon off the checkout. The
      // first is saved while the app stops: usually on disk before the update asks.
      const noCheckout = (state: unknown) => {
        const persisted = state as { currentCommit?: unknown; deploying?: unknown } | null;
        return persisted?.currentCommit === null || typeof persisted?.deploying === 'string';
      };
      await store.whenWritten(name, noCheckout, signal).catch((error: Error) => {
        if (signal.aborted) throw error;
        // This node's disk, not the commit: nothing to quarantine (see UpdateCheckoutInput).
        throw Object.assign(new Error(`cannot record the update in the state dir: ${error.message}`), { nodeLocal: true });
      });
      logger.debug('update recorded in the state dir', {
        app: name, event: 'state', waitedMs: Math.round((performance.now() - begun) * 100) / 100,
      });
    },
  };
}
