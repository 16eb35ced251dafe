// How each deploy of an app ended, read from the app chart's successive snapshots (no hooks in the
// chart): a deploy starts when `updating` takes a new target commit and ends exactly once.
import type { AppContext } from '../../machines/app.types.js';

export type DeployResult = 'success' | 'failure' | 'rollback';

export const DEPLOY_RESULTS: readonly DeployResult[] = ['success', 'failure', 'rollback'];

export interface DeployOutcome {
  result: DeployResult;
  commit: string;
}

/** What the tracker remembers of an app between two snapshots. */
export interface DeployTrack {
  /** The deploy under way: a new commit, or the return to the last good one after a rollback. */
  pending: { commit: string; kind: 'deploy' | 'rollback' } | null;
  /** `context.rolledBack` as last seen: the chart assigns a new object for each rollback. */
  rolledBack: AppContext['rolledBack'];
  lastGoodCommit: string | null;
}

export interface DeployStep {
  track: DeployTrack;
  outcomes: DeployOutcome[];
  /** A rollback happened in this step (the chart set a new `rolledBack`). */
  rolledBack: boolean;
}

/** The first snapshot of an app is the baseline: what happened before it is not counted. */
export function startTrack(context: AppContext): DeployTrack {
  return { pending: null, rolledBack: context.rolledBack, lastGoodCommit: context.persisted.lastGoodCommit };
}

/**
 * One snapshot (top-level `state`, `context`) after `track`.
 * - rollback: a new `rolledBack` (a failed update falling back, or a commit failing its
 *   probation) settles the deploy of `rolledBack.from`; the way back is not a deploy of its own.
 * - success: the commit became the last good one (it served through its probation, or was
 *   replaced by a newer commit while serving healthily), or it already was and is healthy again
 *   (a repaired checkout). Counting at the first `healthy` would count a commit rolled back later
 *   in its probation twice.
 * - failure: the app gave up (`failed`) with the deploy unsettled, or a newer deploy replaced one
 *   that never became good.
 */
export function stepDeploy(track: DeployTrack, state: string, context: AppContext): DeployStep {
  const outcomes: DeployOutcome[] = [];
  let { pending } = track;
  const { persisted } = context;
  const rolledBack = context.rolledBack !== null && context.rolledBack !== track.rolledBack;

  if (rolledBack && context.rolledBack !== null) {
    outcomes.push({ result: 'rollback', commit: context.rolledBack.from });
    pending = { commit: context.rolledBack.to, kind: 'rollback' };
  }
  if (state === 'updating' && context.targetCommit !== null && pending?.commit !== context.targetCommit) {
    if (pending?.kind === 'deploy') outcomes.push({ result: 'failure', commit: pending.commit });
    pending = { commit: context.targetCommit, kind: 'deploy' };
  }
  if (pending !== null && persisted.currentCommit === pending.commit && persisted.lastGoodCommit === pending.commit &&
      (state === 'healthy' || track.lastGoodCommit !== pending.commit)) {
    if (pending.kind === 'deploy') outcomes.push({ result: 'success', commit: pending.commit });
    pending = null;
  }
  if (pending !== null && state === 'failed') {
    if (pending.kind === 'deploy') outcomes.push({ result: 'failure', commit: pending.commit });
    pending = null;
  }
  return {
    track: { pending, rolledBack: context.rolledBack, lastGoodCommit: persisted.lastGoodCommit },
    outcomes,
    rolledBack,
  };
}
