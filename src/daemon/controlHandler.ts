import type { AppCommand } from '../../machines/index.js';
import { appStatus } from '../../machines/index.js';
import { UnknownAppError } from '../control/errors.js';
import { writeLogTail } from '../control/logTail.js';
import type { AppStatus, ControlAction, ControlHandler, StatusJson } from '../control/types.js';
import type { Daemon } from './daemon.js';
import { appLogFile } from './paths.js';

function commandOf(action: ControlAction, commit: string | undefined): AppCommand {
  switch (action) {
    case 'poll':
      return { type: 'POLL' };
    case 'restart':
      return { type: 'RESTART' };
    case 'stop':
      return { type: 'STOP' };
    case 'start':
      return { type: 'START' };
    case 'deploy':
      return { type: 'DEPLOY', commit: commit ?? '' };
  }
}

/** Status of every supervised app, read from the live snapshots. */
export function daemonStatus(daemon: Daemon): StatusJson {
  const snapshot = daemon.supervisorActor.getSnapshot();
  const apps: AppStatus[] = [];
  for (const [name, supervised] of Object.entries(snapshot.context.apps)) {
    const child = snapshot.children[name];
    const since = (daemon.sinceOf(name) ?? new Date()).toISOString();
    const file = daemon.appConfig(name)?.file;
    const configError = file ? (daemon.invalidConfigs.get(file)?.join('; ') ?? null) : null;
    if (!child) {
      apps.push({
        name,
        state: supervised.phase === 'crashed' ? 'crashed' : 'waiting',
        commit: null,
        lastGoodCommit: null,
        pid: null,
        restarts: 0,
        health: 'unknown',
        since,
        error: supervised.error ?? configError,
        waitingFor: [...supervised.waitingFor],
      });
      continue;
    }
    // The children of the supervisor are app actors: their snapshots carry the app context.
    const view = appStatus(child.getSnapshot() as Parameters<typeof appStatus>[0]);
    apps.push({
      name,
      state: view.state,
      commit: view.commit,
      lastGoodCommit: view.lastGoodCommit,
      pid: view.pid,
      restarts: view.restarts,
      health: view.health,
      since,
      error: view.rolledBack ?? view.error ?? configError,
      waitingFor: view.waitingFor,
    });
  }
  return { apps };
}

export function controlHandler(daemon: Daemon): ControlHandler {
  const known = (app: string) => {
    if (!(app in daemon.supervisorActor.getSnapshot().context.apps)) throw new UnknownAppError(app);
  };
  return {
    status: () => daemonStatus(daemon),
    async command(app, action, args) {
      known(app);
      if (action === 'deploy' && !args.commit) return { ok: false, message: 'deploy needs a commit' };
      daemon.supervisorActor.send({ type: 'APP.COMMAND', app, command: commandOf(action, args.commit) });
      return { ok: true, message: `${action}${args.commit ? ` ${args.commit}` : ''} sent to ${app}` };
    },
    async logs(app, options, out, signal) {
      known(app);
      await writeLogTail(appLogFile(daemon.options.stateDir, app), options, out, signal);
    },
  };
}
