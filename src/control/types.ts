import type { Writable } from 'node:stream';
import type { AppStatusView } from '../../machines/appStatus.js';

// The contract between the daemon (server side) and the CLI (client side) of the control socket.

/** One app in `huddle status --json`: the chart's view of it, plus when it entered its state. */
export type AppStatus = Pick<
  AppStatusView,
  'name' | 'state' | 'commit' | 'lastGoodCommit' | 'pid' | 'restarts' | 'health' | 'error'
> & {
  /** ISO time the app entered its current state (its process started, for a running app). */
  since: string;
  /** Apps this one waits for before it starts (`depends` not healthy yet); empty when none. */
  waitingFor?: string[];
};

export interface StatusJson {
  apps: AppStatus[];
}

export const CONTROL_ACTIONS = ['poll', 'restart', 'stop', 'start', 'deploy'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

export interface CommandArgs {
  /** `deploy` only: the commit the operator chose. */
  commit?: string;
}

export interface CommandResult {
  ok: boolean;
  message: string;
}

export interface LogsOptions {
  lines: number;
  follow: boolean;
}

/** What the daemon implements; the control server turns requests into these calls. */
export interface ControlHandler {
  status(): StatusJson | Promise<StatusJson>;
  /** Throw UnknownAppError (src/control/errors.ts) for an app that is not configured: 404. */
  command(app: string, action: ControlAction, args: CommandArgs): Promise<CommandResult>;
  /**
   * Write the last `lines` lines of the app's log to `out`, then with `follow` keep writing new
   * output until `signal` aborts (client gone or server closing). Do not end `out`. Throw
   * UnknownAppError before writing anything for an unknown app.
   */
  logs(app: string, options: LogsOptions, out: Writable, signal: AbortSignal): Promise<void>;
}
