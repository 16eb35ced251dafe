import { createHash } from 'node:crypto';
import type { AppMachineInput, AppPersisted, AppSpec } from '../../machines/app.types.js';
import type { AppConfig, LoadedApp } from '../config/index.js';
import { resolveAppPaths } from '../config/index.js';
import type { GitOptions } from '../git/index.js';
import { lookupAccount, type RunAs } from '../process/index.js';

const ms = (seconds: number) => Math.round(seconds * 1000);

// Like Docker's start_interval: frequent checks while a start's failures do not count yet.
const START_CHECK_INTERVAL_MS = 100;

/** The plain spec the app chart runs on, derived from an app's normalised config. */
export interface SpecContext {
  /** The daemon runs in a fleet (`--etcd`): updates of a running app go through the rollout gate. */
  fleet?: boolean;
}

export function appSpecOf(config: AppConfig, { fleet = false }: SpecContext = {}): AppSpec {
  const { health, restart } = config;
  return {
    name: config.name,
    poll: { minimumMs: ms(config.timing.minimum), maximumMs: ms(config.timing.maximum) },
    process: config.application ? { stopTimeoutMs: ms(config.application['stop timeout']) } : null,
    health: health
      ? { intervalMs: ms(health.interval), retries: health.retries, startIntervalMs: START_CHECK_INTERVAL_MS }
      : null,
    startPeriodMs: ms(health?.['start period'] ?? 1),
    restart: {
      policy: restart.policy,
      backoff: {
        firstMs: ms(restart.backoff.first),
        initialMs: ms(restart.backoff.initial),
        factor: restart.backoff.factor,
        maxMs: ms(restart.backoff.max),
        jitter: restart.backoff.jitter,
        resetAfterMs: ms(restart.backoff['reset after']),
      },
      limit: { restarts: restart.limit.restarts, windowMs: ms(restart.limit.window) },
    },
    probationMs: ms(config.rollback.probation),
    rollback: config.rollback.enabled,
    depends: [...config.depends],
    rollout: fleet,
    revision: createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16),
  };
}

export function appInputOf(config: AppConfig, restored: AppPersisted | null, context: SpecContext = {}): AppMachineInput {
  return { ...appSpecOf(config, context), restored };
}

/** The account the app, its git, hooks and install run as: undefined for huddle's own. */
export function runAsOf(app: LoadedApp): RunAs | undefined {
  const application = app.config.application;
  if (application?.user === undefined && application?.group === undefined) return undefined;
  return lookupAccount(application.user, application.group);
}

/** Relative paths in a config are relative to its file: resolved here, once. */
export function gitOptionsOf(app: LoadedApp): GitOptions {
  const r = app.config.repository;
  const runAs = runAsOf(app);
  return {
    ...(runAs ? { runAs } : {}),
    executable: r.executable,
    remotePath: r['remote path'],
    localPath: resolveAppPaths(app).localPath,
    remote: r.remote,
    branch: r.branch,
  };
}
