import { fromCallback } from 'xstate';
import type { AppProcessInput, ProcessReport, ProcessStopCommand } from '../../../machines/app.types.js';
import { resolveAppPaths } from '../../config/index.js';
import { startAppProcess, type AppProcess, type RunAs } from '../../process/index.js';
import { runAsOf } from '../appSpec.js';
import { inheritedEnv, type EffectsHost } from './host.js';
import { UpdateChain } from './updateChain.js';

function spawnAccount(app: Parameters<typeof runAsOf>[0]): { runAs?: RunAs } {
  const runAs = runAsOf(app);
  return runAs ? { runAs } : {};
}

/**
 * The app's process: started in its own group, stopped gracefully on PROCESS.STOP, killed if torn
 * down. Started once no update of the app is under way (UpdateChain): at once, nearly always.
 */
export function appProcessActor(host: EffectsHost, updates = new UpdateChain()) {
  return fromCallback<ProcessStopCommand, AppProcessInput>(({ input, sendBack, receive }) => {
    const app = host.app(input.app);
    const application = app.config.application;
    let done = false;
    let proc: AppProcess | undefined;
    let stopped = false;
    const report = (event: ProcessReport) => {
      if (!done) sendBack(event);
    };
    if (!application) {
      report({ type: 'PROCESS.EXITED', code: null, signal: null, detail: 'the config has no [application] to start' });
      return;
    }
    const start = (): void => {
      if (done || stopped) return;
      let started: AppProcess;
      try {
        started = startAppProcess({
          app: input.app,
          command: application.start,
          cwd: resolveAppPaths(app).cwd ?? application.cwd,
          env: { ...inheritedEnv(), ...application.env, HUDDLE_APP: input.app, HUDDLE_COMMIT: input.commit },
          logFile: host.logFile(input.app),
          stopSignal: application['stop signal'] as NodeJS.Signals,
          stopTimeoutMs: application['stop timeout'] * 1000,
          ...spawnAccount(app),
        });
      } catch (error) {
        // Reported asynchronously: the chart expects events after the actor has started.
        queueMicrotask(() => report({ type: 'PROCESS.EXITED', code: null, signal: null, detail: (error as Error).message }));
        return;
      }
      proc = started;
      host.processStarted(input.app, started, input.commit, 'app');
      queueMicrotask(() => report({ type: 'PROCESS.STARTED', pid: started.pid }));
      void started.exited.then((exit) => {
        host.processExited(input.app, started, 'app');
        report({ type: 'PROCESS.EXITED', code: exit.code, signal: exit.signal });
      });
    };
    const updating = updates.settled(input.app);
    if (updating) void updating.then(start);
    else start();
    receive((event) => {
      if (event.type !== 'PROCESS.STOP') return;
      if (proc) {
        void proc.stop();
      } else if (!stopped) {
        // Still waiting for an update to settle: it never starts.
        stopped = true;
        queueMicrotask(() => report({ type: 'PROCESS.EXITED', code: null, signal: null, detail: 'stopped before it started' }));
      }
    });
    return () => {
      done = true;
      // The chart stops processes gracefully (PROCESS.STOP) before it leaves them; being torn down
      // while one still runs means the daemon is going away: kill rather than leave an orphan.
      proc?.kill();
    };
  });
}
