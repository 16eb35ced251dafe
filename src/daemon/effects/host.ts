import type { LoadedApp } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { EffectTimers } from '../../metrics/index.js';
import type { AppProcess } from '../../process/index.js';

export type RecordedProcess = Pick<AppProcess, 'pid' | 'startTime' | 'tag'>;
export type ProcessRole = 'app' | 'hook';

/** What the effects need to know about the daemon: each app's current config, where its log goes. */
export interface EffectsHost {
  app(name: string): LoadedApp;
  logger: Logger;
  /** Poll and health-check durations and failures, for /metrics. */
  metrics: EffectTimers;
  logFile(app: string): string;
  /**
   * A process was started / has exited (the app's own, or a hook's while the app is stopped for an
   * update): the daemon records it for recovery after a crash. Each hook has a record of its own,
   * and an exit clears only the record of that very process: a late exit (a hook killed after
   * its update was cancelled, an app killed by force) never forgets the app's next process.
   */
  processStarted(app: string, proc: RecordedProcess, commit: string, role: ProcessRole): void;
  processExited(app: string, proc: RecordedProcess, role: ProcessRole): void;
  /**
   * Resolves once the app's state on disk (fsync'd) says it has no usable checkout (the chart's
   * `deploying` mark, or `beginUpdate`): the update awaits it before its first hook or `git
   * checkout`, so a daemon killed (or a power loss) mid-update never finds the old commit recorded
   * over a mixed tree.
   * Rejects if that cannot be written, or when `signal` aborts.
   */
  updateStarting(app: string, signal: AbortSignal): Promise<void>;
  /** The ref the fleet pins the app to (`huddle fleet pin`), if any: it wins over the branch. */
  pinnedRef?(app: string): string | undefined;
}

export function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

/** The environment of an app's hooks, install step and reload command. */
export function commandEnv(app: LoadedApp): Record<string, string> {
  return { ...inheritedEnv(), ...(app.config.application?.env ?? {}), HUDDLE_APP: app.config.name };
}
