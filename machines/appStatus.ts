// What `huddle status` shows for one app, read from an app actor's snapshot.
import type { StateValue } from 'xstate';
import { shortCommit } from './app.context.js';
import type { AppContext } from './app.types.js';

export interface AppStatusView {
  name: string;
  /** Top-level state of the app chart: `healthy`, `fetching`, … */
  state: string;
  /** Full commit id running (or checked out) now. */
  commit: string | null;
  lastGoodCommit: string | null;
  pid: number | null;
  restarts: number;
  health: string;
  error: string | null;
  /** `rolled back <new> → <good>: <reason>` */
  rolledBack: string | null;
  waitingFor: string[];
}

export function topLevelState(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [first] = Object.keys(value);
  return first ?? '';
}

export function appStatus(snapshot: { value: StateValue; context: AppContext }): AppStatusView {
  const { context } = snapshot;
  const { health } = context;
  return {
    name: context.spec.name,
    state: topLevelState(snapshot.value),
    commit: context.persisted.currentCommit,
    lastGoodCommit: context.persisted.lastGoodCommit,
    pid: context.pid,
    restarts: context.persisted.restarts.total,
    health: health.status === 'unknown' ? (context.spec.health === null ? 'none' : 'unknown') : `${health.status}: ${health.detail}`,
    error: context.lastError?.message ?? null,
    rolledBack: context.rolledBack === null ? null
      : `rolled back ${shortCommit(context.rolledBack.from)} → ${shortCommit(context.rolledBack.to)}: ${context.rolledBack.reason}`,
    waitingFor: context.waitingFor,
  };
}
