import type { LoadedApp } from '../../config/index.js';
import { runCommand } from '../../process/index.js';
import { gitOptionsOf } from '../appSpec.js';
import { commandEnv, type EffectsHost, type RecordedProcess } from './host.js';

export type RunCommand = (command: string, timeoutSeconds: number, cwd?: string) => Promise<unknown>;

/**
 * Runs an app's hooks, install step and reload command in its checkout, as its user, into its
 * log, each recorded for crash recovery in a record of its own (never the app's). No command
 * starts once `signal` aborts (runCommand stops a running one).
 */
export function commandRunner(host: EffectsHost, app: LoadedApp, commit: string, signal: AbortSignal): RunCommand {
  const opts = gitOptionsOf(app);
  const name = app.config.name;
  return (command, timeoutSeconds, cwd = opts.localPath) => {
    signal.throwIfAborted();
    let started: RecordedProcess | undefined;
    return runCommand(command, {
      cwd,
      env: { ...commandEnv(app), HUDDLE_COMMIT: commit },
      timeoutMs: timeoutSeconds * 1000,
      logFile: host.logFile(name),
      signal,
      ...(opts.runAs ? { runAs: opts.runAs } : {}),
      onStarted: (proc) => {
        started = proc;
        host.processStarted(name, proc, commit, 'hook');
      },
    }).finally(() => {
      if (started) host.processExited(name, started, 'hook');
    });
  };
}
