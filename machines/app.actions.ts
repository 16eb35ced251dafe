// The application chart's named actions (pure context updates in ./app.context.ts, timers, the
// process child, and the reports to the supervisor).
import { assertEvent, assign, enqueueActions, raise, sendParent } from 'xstate';
import {
  canRollBack, chooseDeployTarget, clearErrorFrom, describeExit, inProbation, quarantine, seenByFetch, shortCommit, withPersisted,
} from './app.context.js';
import {
  appSetup, type CommitParams, type DetailParams, type ErrorParams, type HaltParams, type ReasonParams, type UpdateErrorParams,
} from './app.setup.js';
import type { AppContext, AppPersisted, AppReport } from './app.types.js';

export function requireCommit(commit: string | null, what: string): string {
  if (commit === null) throw new Error(`app chart invariant broken: no ${what} commit`);
  return commit;
}

/** A poll records the head it saw; an operator's explicit deploy is the way out of quarantine. */
function afterFetch(context: AppContext, commit: string): AppPersisted {
  if (context.fetchTarget === null) return withPersisted(context, { remoteHead: commit });
  return withPersisted(context, { badCommits: context.persisted.badCommits.filter((c) => c !== commit) });
}

/** The commit on probation is the one running, in one of these probation states. */
function provenGood(context: AppContext, statuses: Array<'running' | 'overdue'>): boolean {
  const { probation } = context;
  const current = context.persisted.currentCommit;
  // A commit quarantined while it ran (the fleet halted it) never becomes the one to return to.
  return probation !== null && statuses.includes(probation.status) && probation.commit === current &&
    current !== null && !context.persisted.badCommits.includes(current);
}

function promoted(context: AppContext): Partial<AppContext> {
  return { probation: null, persisted: withPersisted(context, { lastGoodCommit: context.persisted.currentCommit }) };
}

export const appImplementations = appSetup.extend({
  actions: {
    // ---- requests and bookkeeping ----
    requestDeploy: assign(({ event }) => {
      assertEvent(event, 'DEPLOY');
      return { requestedCommit: event.commit };
    }),
    takeDeployRequest: assign(({ context }) => ({ fetchTarget: context.requestedCommit, requestedCommit: null })),
    noteWaitingFor: assign(({ event }) => {
      assertEvent(event, 'WAIT_FOR');
      return { waitingFor: [...event.apps] };
    }),
    clearWaitingFor: assign({ waitingFor: [] }),
    forgiveFailures: assign(({ context }) => ({
      restartStreak: 0,
      restartEpoch: context.restartEpoch + 1,
      persisted: withPersisted(context, { restarts: { ...context.persisted.restarts, recent: 0 } }),
    })),
    abandonPlan: assign({ targetCommit: null }),

    // ---- fetch ----
    noteFetched: assign(({ context }, params: CommitParams) => ({
      persisted: afterFetch(seenByFetch(context, params), params.commit),
      fetchTarget: null,
      lastError: params.filesProblem === undefined
        ? clearErrorFrom(context, ['fetch'])
        : { source: 'fetch' as const, message: `files not placed: ${params.filesProblem}` },
    })),
    planDeploy: assign(({ context }, params: CommitParams) => ({
      targetCommit: chooseDeployTarget(seenByFetch(context, params), params.commit),
      persisted: afterFetch(seenByFetch(context, params), params.commit),
      fetchTarget: null,
      lastError: clearErrorFrom(context, ['fetch']),
    })),
    noteFetchError: assign(({ context }, { error }: ErrorParams) => ({
      fetchTarget: null,
      lastError: {
        source: 'fetch' as const,
        message: context.fetchTarget === null ? `fetch failed: ${error}` : `fetch of ${shortCommit(context.fetchTarget)} failed: ${error}`,
      },
    })),
    noteNothingToDeploy: assign((_, { commit }: CommitParams) => ({
      lastError: { source: 'update' as const, message: `nothing deployable: ${shortCommit(commit)} is quarantined and no good commit is checked out` },
    })),
    // A commit the fleet halted is quarantined here too, unless this node proved it good, or runs it
    // with nothing to return to: quarantining it then would only stop a working app.
    haltCommit: assign(({ context }, { commit, reason }: HaltParams) => {
      const proven = commit === context.persisted.lastGoodCommit;
      const kept = proven || (commit === context.persisted.currentCommit && !canRollBack(context));
      const why = proven ? 'it passed probation here' : 'there is no good commit to return to';
      return {
        persisted: kept ? context.persisted : withPersisted(context, { badCommits: quarantine(context.persisted.badCommits, commit) }),
        lastError: {
          source: 'rollout' as const,
          message: kept
            ? `the fleet halted ${shortCommit(commit)} (${reason}) but ${why}: kept`
            : `the fleet halted ${shortCommit(commit)}: ${reason}`,
        },
      };
    }),
    noteRolloutError: assign((_, { error }: ErrorParams) => ({
      lastError: { source: 'rollout' as const, message: `no rollout slot yet: ${error}` },
    })),

    // ---- update ----
    noteDeployStarting: assign(({ context }) => ({
      persisted: withPersisted(context, { deploying: requireCommit(context.targetCommit, 'target') }),
    })),
    // Left before `updating` (STOP, SHUTDOWN): the checkout is untouched, the commit still true.
    unmarkDeploy: assign(({ context }) => (context.persisted.deploying ? { persisted: withPersisted(context, { deploying: null }) } : {})),
    beginUpdate: assign(({ context }) => ({
      // Unknown until the update completes: a daemon killed now must not trust the old commit.
      previousCommit: context.persisted.currentCommit ?? context.previousCommit,
      persisted: withPersisted(context, { currentCommit: null }),
    })),
    completeUpdate: assign(({ context }) => ({
      persisted: withPersisted(context, {
        currentCommit: requireCommit(context.targetCommit, 'target'),
        deploying: null,
        restarts: { ...context.persisted.restarts, recent: 0 },
      }),
      targetCommit: null,
      restartStreak: 0,
      restartEpoch: context.restartEpoch + 1,
    })),
    // A failure of this node (its checkout, a lock, local edits) says nothing about the commit: it
    // is not quarantined (with a fleet, that would count toward halting it everywhere).
    fallBackToLastGood: assign(({ context }, { error, nodeLocal }: UpdateErrorParams) => {
      const from = requireCommit(context.targetCommit, 'target');
      const to = requireCommit(context.persisted.lastGoodCommit, 'last good');
      const reason = `update failed: ${error}`;
      return {
        targetCommit: to,
        lastError: { source: 'update' as const, message: `update to ${shortCommit(from)} failed: ${error}` },
        persisted: withPersisted(context, {
          badCommits: context.spec.rollback && !nodeLocal ? quarantine(context.persisted.badCommits, from) : context.persisted.badCommits,
        }),
        rolledBack: { from, to, reason },
      };
    }),
    // The target was halted by the fleet while it was being checked out: do not start it.
    returnFromQuarantinedTarget: assign(({ context }) => {
      const from = requireCommit(context.targetCommit, 'target');
      const to = requireCommit(context.persisted.lastGoodCommit, 'last good');
      return { targetCommit: to, rolledBack: { from, to, reason: 'halted by the fleet during the update' } };
    }),
    noteUpdateFailure: assign(({ context }, { error }: ErrorParams) => ({
      lastError: { source: 'update' as const, message: `update to ${shortCommit(context.targetCommit)} failed: ${error}` },
      targetCommit: null,
    })),

    // ---- process ----
    launchProcess: enqueueActions(({ context, enqueue }) => {
      if (context.spec.process === null) return;
      const commit = requireCommit(context.persisted.currentCommit, 'current');
      enqueue.spawnChild('appProcess', { id: 'process', input: { app: context.spec.name, commit } });
      enqueue.assign({ processAlive: true, pid: null, lastExit: null });
    }),
    askProcessToStop: enqueueActions(({ context, enqueue }) => {
      if (context.processAlive) enqueue.sendTo('process', { type: 'PROCESS.STOP' });
    }),
    forgetProcess: enqueueActions(({ enqueue }) => {
      enqueue.stopChild('process');
      enqueue.assign({ processAlive: false, pid: null });
    }),
    killProcess: enqueueActions(({ enqueue }) => {
      // Stopping the actor makes it kill the process tree itself.
      enqueue.stopChild('process');
      enqueue.assign({
        processAlive: false,
        pid: null,
        lastError: { source: 'process' as const, message: 'process did not report its exit in time; stopped by force' },
      });
    }),
    notePid: assign(({ event }) => {
      assertEvent(event, 'PROCESS.STARTED');
      return { pid: event.pid };
    }),
    recordExit: assign(({ event }) => {
      assertEvent(event, 'PROCESS.EXITED');
      return { lastExit: { code: event.code, signal: event.signal } };
    }),
    noteExitFailure: assign(({ event }) => {
      assertEvent(event, 'PROCESS.EXITED');
      const detail = event.detail ?? describeExit(event.code, event.signal);
      return {
        failure: { cause: 'exited' as const, code: event.code, signal: event.signal, detail },
        lastError: { source: 'process' as const, message: detail },
      };
    }),
    treatProcessErrorAsExit: raise((_, { error }: ErrorParams) => ({
      type: 'PROCESS.EXITED' as const, code: null, signal: null, detail: `process actor failed: ${error}`,
    })),

    // ---- health ----
    resetHealth: assign({ health: { status: 'unknown', detail: '', consecutiveFailures: 0 }, startGraceOver: false }),
    // Failed checks inside the start period do not count (as Docker's start period).
    endStartGrace: assign(({ context }) => ({ startGraceOver: true, health: { ...context.health, consecutiveFailures: 0 } })),
    notePassingCheck: assign((_, { detail }: DetailParams) => ({
      health: { status: 'passing' as const, detail, consecutiveFailures: 0 },
    })),
    noteFailingCheck: assign(({ context }, { detail }: DetailParams) => ({
      health: { status: 'failing' as const, detail, consecutiveFailures: context.health.consecutiveFailures + 1 },
    })),
    noteHealthFailure: assign(({ context }) => ({
      failure: { cause: 'health' as const, code: null, signal: null, detail: `health check failing: ${context.health.detail}` },
      lastError: { source: 'health' as const, message: `health check failing: ${context.health.detail}` },
    })),
    noteStartFailure: assign(({ context }) => ({
      failure: { cause: 'start' as const, code: null, signal: null, detail: `never became healthy: ${context.health.detail}` },
      lastError: { source: 'health' as const, message: `never became healthy: ${context.health.detail}` },
    })),
    clearRecoveredErrors: assign(({ context }) => ({
      lastError: clearErrorFrom(context, ['process', 'health', 'update', 'rollout', 'policy']),
    })),

    // ---- probation and restarts ----
    armProbationIfUnproven: enqueueActions(({ context, enqueue }) => {
      const current = context.persisted.currentCommit;
      if (current === null || current === context.persisted.lastGoodCommit) {
        enqueue.cancel('probation');
        enqueue.assign({ probation: null });
        return;
      }
      if (context.probation?.commit === current) return;
      enqueue.cancel('probation');
      enqueue.assign({ probation: { commit: current, status: 'running' } });
      enqueue.raise({ type: 'TIMER.PROBATION_ELAPSED' }, { id: 'probation', delay: 'probation' });
    }),
    promoteToLastGood: assign(({ context }) => (provenGood(context, ['running', 'overdue']) ? promoted(context) : {})),
    promoteIfProbationOverdue: assign(({ context }) => (provenGood(context, ['overdue']) ? promoted(context) : {})),
    markProbationOverdue: assign(({ context }) =>
      context.probation === null ? {} : { probation: { ...context.probation, status: 'overdue' as const } }),
    armStableTimer: enqueueActions(({ enqueue }) => {
      enqueue.cancel('stable');
      enqueue.raise({ type: 'TIMER.STABLE' }, { id: 'stable', delay: 'backoffReset' });
    }),
    cancelStableTimer: enqueueActions(({ enqueue }) => enqueue.cancel('stable')),
    resetRestartStreak: assign({ restartStreak: 0 }),
    openIncident: assign(({ context }) => ({ incident: context.incident + 1 })),
    recordRestart: enqueueActions(({ context, enqueue }) => {
      const { total, recent } = context.persisted.restarts;
      enqueue.assign({
        restartStreak: context.restartStreak + 1,
        persisted: withPersisted(context, { restarts: { total: total + 1, recent: recent + 1 } }),
      });
      enqueue.raise({ type: 'TIMER.RESTART_EXPIRED', epoch: context.restartEpoch }, { delay: 'restartWindow' });
    }),
    expireRestart: assign(({ context, event }) => {
      assertEvent(event, 'TIMER.RESTART_EXPIRED');
      if (event.epoch !== context.restartEpoch) return {};
      const { restarts } = context.persisted;
      return { persisted: withPersisted(context, { restarts: { ...restarts, recent: Math.max(0, restarts.recent - 1) } }) };
    }),
    // xstate does not re-arm timers of a restored snapshot (#5331): the daemon restores through the
    // input instead, and the chart arms the restart window of the restored restarts itself.
    rearmRestoredRestartWindow: enqueueActions(({ context, enqueue }) => {
      for (let i = 0; i < context.persisted.restarts.recent; i += 1) {
        enqueue.raise({ type: 'TIMER.RESTART_EXPIRED', epoch: context.restartEpoch }, { delay: 'restartWindow' });
      }
    }),
    beginRollback: enqueueActions(({ context, enqueue }, { reason }: ReasonParams) => {
      const from = requireCommit(context.persisted.currentCommit, 'current');
      const to = requireCommit(context.persisted.lastGoodCommit, 'last good');
      enqueue.cancel('probation');
      enqueue.assign({
        probation: null,
        targetCommit: to,
        rolledBack: { from, to, reason },
        persisted: withPersisted(context, { badCommits: quarantine(context.persisted.badCommits, from) }),
      });
    }),
    noteGiveUp: assign((_, { reason }: ReasonParams) => ({ lastError: { source: 'policy' as const, message: reason } })),

    // ---- reports to the supervisor ----
    reportHealthy: sendParent(({ context }): AppReport => ({
      type: 'APP.HEALTHY', app: context.spec.name, commit: context.persisted.currentCommit,
    })),
    reportUnhealthy: sendParent(({ context }): AppReport => ({
      type: 'APP.UNHEALTHY',
      app: context.spec.name,
      incident: context.incident,
      commit: context.persisted.currentCommit,
      failure: context.failure ?? { cause: 'health', code: null, signal: null, detail: 'unhealthy' },
      recentRestarts: context.persisted.restarts.recent,
      streak: context.restartStreak,
      probation: inProbation(context),
    })),
    reportFailed: sendParent(({ context }): AppReport => ({
      type: 'APP.DOWN', app: context.spec.name, state: 'failed', reason: context.lastError?.message ?? null,
    })),
    reportStopped: sendParent(({ context }): AppReport => ({
      type: 'APP.DOWN', app: context.spec.name, state: 'stopped', reason: null,
    })),
  },
});
