import type { LoadedApp } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { EffectTimers } from '../../metrics/index.js';
import type { AppProcess } from '../../process/index.js';

/** What the effects need to know about the daemon: each app's current config, where its log goes. */
export interface EffectsHost {
  app(name: string): LoadedApp;
  logger: Logger;
  /** Poll and health-check durations and failures, for /metrics. */
  metrics: EffectTimers;
  logFile(app: string): string;
  /**
   * A process was started / has exited (the app's, or a hook's while the app is stopped for an
   * update): the daemon records it for recovery after a crash.
   */
  processStarted(app: string, proc: Pick<AppProcess, 'pid' | 'startTime' | 'tag'>, commit: string): void;
  processExited(app: string): void;
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
