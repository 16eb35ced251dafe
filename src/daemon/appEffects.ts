import { existsSync } from 'node:fs';
import { fromCallback, fromPromise } from 'xstate';
import type {
  AppProcessInput,
  FetchRemoteInput,
  FetchRemoteOutput,
  HealthCheckInput,
  HealthCheckOutput,
  ProcessReport,
  ProcessStopCommand,
  UpdateCheckoutInput,
} from '../../machines/app.types.js';
import type { AppConfig, LoadedApp } from '../config/index.js';
import { parseStatusRange, resolveAppPaths } from '../config/index.js';
import { checkoutCommit, ensureClone, fetchCommit, GitError, gitProbe, localChanges, resolveCommit } from '../git/index.js';
import type { GitOptions } from '../git/index.js';
import { httpCheck, tcpCheck } from '../health/index.js';
import type { AppProcess } from '../process/index.js';
import { runCommand, startAppProcess } from '../process/index.js';
import { appLogger, type Logger } from '../log.js';
import { redact } from '../util/redact.js';
import { gitOptionsOf } from './appSpec.js';

/** What the effects need to know about the daemon: each app's current config, where its log goes. */
export interface EffectsHost {
  app(name: string): LoadedApp;
  logger: Logger;
  logFile(app: string): string;
  /** A process was started / has exited: the daemon records it for recovery after a crash. */
  processStarted(app: string, proc: AppProcess, commit: string): void;
  processExited(app: string, proc: AppProcess): void;
}

/** The app chart's actors, implemented with real git, processes and sockets. */
export function appEffects(host: EffectsHost) {
  const log = (app: string, commit?: string | null) => appLogger(host.logger, { app, commit });

  // Checked before the chart stops the app for an update: a checkout with local edits is refused
  // while the old version keeps serving, rather than found out once the app is down.
  const refuseOverLocalChanges = async (app: LoadedApp, opts: GitOptions, commit: string) => {
    if (app.config.repository['discard local changes']) return;
    const changed = await localChanges(opts);
    if (changed.length > 0) {
      throw new GitError(
        'local-changes',
        `${opts.localPath} has local changes, not updated to ${commit.slice(0, 12)}: ${changed.join(', ')}`,
        { files: changed },
      );
    }
  };

  const fetchRemote = fromPromise<FetchRemoteOutput, FetchRemoteInput>(async ({ input }) => {
    const app = host.app(input.app);
    const opts = gitOptionsOf(app);
    // Verifying the checkout costs two git processes: worth it when there may be none yet, not on
    // every poll of a running app (a checkout broken meanwhile fails the update instead).
    if (input.currentCommit === null || !existsSync(opts.localPath)) {
      const { cloned } = await ensureClone(opts);
      if (cloned) log(input.app).info('cloned', { into: opts.localPath });
    }
    if (input.target) {
      const commit = await resolveCommit(opts, input.target);
      await fetchCommit(opts, commit);
      if (commit !== input.currentCommit) await refuseOverLocalChanges(app, opts, commit);
      return { commit };
    }
    const head = await gitProbe(opts);
    if (head !== input.currentCommit) {
      await fetchCommit(opts, head);
      await refuseOverLocalChanges(app, opts, head);
    }
    return { commit: head };
  });

  const updateCheckout = fromPromise<void, UpdateCheckoutInput>(async ({ input, signal }) => {
    const app = host.app(input.app);
    const config = app.config;
    const opts = gitOptionsOf(app);
    const scripts = config.scripts;
    const hook = (command: string) =>
      runCommand(command, {
        cwd: opts.localPath,
        env: commandEnv(config),
        timeoutMs: scripts.timeout * 1000,
        logFile: host.logFile(input.app),
        signal,
      });
    for (const command of scripts['pre-pull']) await hook(command);
    signal.throwIfAborted();
    await checkoutCommit(opts, input.commit, { discardLocalChanges: config.repository['discard local changes'] });
    for (const command of scripts['post-pull']) await hook(command);
  });

  const appProcess = fromCallback<ProcessStopCommand, AppProcessInput>(({ input, sendBack, receive }) => {
    const app = host.app(input.app);
    const application = app.config.application;
    let proc: AppProcess | undefined;
    let done = false;
    const report = (event: ProcessReport) => {
      if (!done) sendBack(event);
    };
    if (!application) {
      report({ type: 'PROCESS.EXITED', code: null, signal: null, detail: 'the config has no [application] to start' });
      return;
    }
    try {
      proc = startAppProcess({
        app: input.app,
        command: application.start,
        cwd: resolveAppPaths(app).cwd ?? application.cwd,
        env: { ...inheritedEnv(), ...application.env, HUDDLE_APP: input.app, HUDDLE_COMMIT: input.commit },
        logFile: host.logFile(input.app),
        stopSignal: application['stop signal'] as NodeJS.Signals,
        stopTimeoutMs: application['stop timeout'] * 1000,
      });
    } catch (error) {
      // Reported asynchronously: the chart expects events after the actor has started.
      queueMicrotask(() =>
        report({ type: 'PROCESS.EXITED', code: null, signal: null, detail: (error as Error).message }),
      );
      return;
    }
    const started = proc;
    host.processStarted(input.app, started, input.commit);
    queueMicrotask(() => report({ type: 'PROCESS.STARTED', pid: started.pid }));
    void started.exited.then((exit) => {
      host.processExited(input.app, started);
      report({ type: 'PROCESS.EXITED', code: exit.code, signal: exit.signal });
    });
    receive((event) => {
      if (event.type === 'PROCESS.STOP') void started.stop();
    });
    return () => {
      done = true;
      // The chart stops processes gracefully (PROCESS.STOP) before it leaves them; being torn down
      // while one still runs means the daemon is going away: kill rather than leave an orphan.
      started.kill();
    };
  });

  const healthCheck = fromPromise<HealthCheckOutput, HealthCheckInput>(async ({ input }) => {
    const health = host.app(input.app).config.health;
    if (!health) return { ok: true, detail: 'no health check configured' };
    const timeoutMs = health.timeout * 1000;
    const result = health.http
      ? await httpCheck({
          url: health.http.url,
          status: parseStatusRange(health.http.status),
          ...(health.http.body === undefined ? {} : { body: health.http.body }),
          timeoutMs,
        })
      : await tcpCheck({ ...(health.tcp as NonNullable<typeof health.tcp>), timeoutMs });
    return { ok: result.ok, detail: redact(result.detail) };
  });

  return { fetchRemote, updateCheckout, appProcess, healthCheck };
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

function commandEnv(config: AppConfig): Record<string, string> {
  return { ...inheritedEnv(), ...(config.application?.env ?? {}), HUDDLE_APP: config.name };
}
