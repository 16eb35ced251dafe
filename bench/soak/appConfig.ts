import type { SoakApp } from './world.js';

// The app config the soak writes. Timings are short so that every fault is detected and
// recovered from well within a one-minute run: poll every 1-2 s, health every 0.5 s, hooks time
// out after 2 s, a bad update is rolled back within the probation.

export interface AppTuning {
  /** rollback.probation, seconds. */
  probation: number;
  /** application.install timeout and scripts.timeout, seconds. */
  hookTimeout: number;
  /** restart.limit: restarts allowed within the window (the soak keeps its app kills below it). */
  restartLimit: number;
  restartWindow: number;
}

// A crash loop must use up the restart budget within the probation to be rolled back (else huddle
// gives up on the app): 5 restarts at 0.2, 0.3, 0.45, 0.7, 1 s take about 3 s with the starts.
export const DEFAULT_TUNING: AppTuning = { probation: 10, hookTimeout: 2, restartLimit: 5, restartWindow: 20 };

export function appConfig(app: SoakApp, tuning: AppTuning): Record<string, unknown> {
  const node = `'${process.execPath}'`;
  return {
    repository: { 'remote path': app.bare, 'local path': app.checkout, branch: 'main' },
    timing: { minimum: 1, maximum: 2 },
    application: {
      start: `${node} server.mjs`,
      env: { PORT: String(app.port), GREETING: app.greeting, SOAK_CLASH_FILE: app.clashFile },
      'stop timeout': 3,
      install: `${node} install.mjs`,
      'install timeout': tuning.hookTimeout,
    },
    scripts: { 'post-pull': [`${node} hook.mjs`], timeout: tuning.hookTimeout },
    health: {
      http: { url: `http://127.0.0.1:${app.port}/health` },
      interval: 0.5,
      // Generous for a loaded 2-core machine: a slow answer must not look like a failing app.
      timeout: 1.5,
      retries: 3,
      'start period': 2,
    },
    restart: {
      policy: 'always',
      backoff: { initial: 0.2, factor: 1.5, max: 1, jitter: 0.1, 'reset after': 10 },
      limit: { restarts: tuning.restartLimit, window: tuning.restartWindow },
    },
    rollback: { enabled: true, probation: tuning.probation },
  };
}
