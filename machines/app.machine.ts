// The application chart: one actor per app, spawned by the supervisor. Top-level state names are the
// names operators see in `huddle status`. Effects are actors src/ provides with `appMachine.provide`;
// the chart itself does no I/O. Contracts: ./app.types.ts.
import { and } from 'xstate';
import { appImplementations, requireCommit } from './app.actions.js';
import { initialAppContext } from './app.context.js';
import {
  becomeHealthy, checkDetail, checkError, decisionReason, exitedToUnhealthy, failedWith, fetched, fetchInput, haltOf,
  haltWhileRunning, healthInput, updateFailedWith,
} from './app.transitions.js';

export const appMachine = appImplementations.createMachine({
  id: 'app',
  context: ({ input }) => initialAppContext(input),
  output: ({ context }) => context.persisted,
  entry: 'rearmRestoredRestartWindow',
  initial: 'idle',
  on: {
    SHUTDOWN: '.stopping.forShutdown',
    DEPLOY: { actions: 'requestDeploy' },
    'PROCESS.STARTED': { actions: 'notePid' },
    'PROCESS.EXITED': { actions: ['recordExit', 'forgetProcess'] },
    'xstate.error.actor.process': { actions: { type: 'treatProcessErrorAsExit', params: failedWith } },
    'TIMER.PROBATION_ELAPSED': { actions: 'markProbationOverdue' },
    'TIMER.RESTART_EXPIRED': { actions: 'expireRestart' },
    'FLEET.HALT': { actions: { type: 'haltCommit', params: haltOf } },
  },
  states: {
    // Never started in this run: restored restart history still counts (only an operator forgives it).
    idle: {
      always: { guard: 'deployRequested', target: 'fetching.beforeStart' },
      on: {
        START: 'fetching.beforeStart',
        WAIT_FOR: { target: 'waiting', actions: 'noteWaitingFor' },
        STOP: 'stopped',
      },
    },
    waiting: {
      exit: 'clearWaitingFor',
      always: { guard: 'deployRequested', target: 'fetching.beforeStart' },
      on: {
        START: 'fetching.beforeStart',
        WAIT_FOR: { actions: 'noteWaitingFor' },
        STOP: 'stopped',
      },
    },
    fetching: {
      entry: 'takeDeployRequest',
      initial: 'beforeStart',
      on: { STOP: 'stopping.forStop' },
      states: {
        // Not running yet: an unreachable remote still starts what is checked out.
        beforeStart: {
          invoke: {
            id: 'fetch', src: 'fetchRemote', input: fetchInput,
            onDone: [
              { guard: { type: 'deployNeedsRolloutSlot', params: fetched }, target: '#app.waitingForRollout', actions: { type: 'planDeploy', params: fetched } },
              { guard: { type: 'foundDeployTarget', params: fetched }, target: '#app.stopping.forUpdate', actions: { type: 'planDeploy', params: fetched } },
              { guard: { type: 'fetchLeftUsableCheckout', params: fetched }, target: '#app.starting', actions: { type: 'noteFetched', params: fetched } },
              { target: '#app.failed', actions: [{ type: 'noteFetched', params: fetched }, { type: 'noteNothingToDeploy', params: fetched }] },
            ],
            onError: [
              { guard: 'hasUsableCheckout', target: '#app.starting', actions: { type: 'noteFetchError', params: failedWith } },
              { target: '#app.failed', actions: { type: 'noteFetchError', params: failedWith } },
            ],
          },
        },
        // A poll while the process serves: it keeps running and its exit is still seen.
        whileRunning: {
          invoke: {
            id: 'fetch', src: 'fetchRemote', input: fetchInput,
            // A commit still serving healthily when a newer one replaces it is the one to return to.
            onDone: [
              // Checkout deleted and cloned afresh (no known commit in it): stopped, decided again.
              { guard: { type: 'fetchCloned', params: fetched }, target: '#app.stopping.forRedeploy', actions: { type: 'noteFetched', params: fetched } },
              { guard: { type: 'deployNeedsRolloutSlot', params: fetched }, target: '#app.waitingForRollout', actions: ['promoteToLastGood', { type: 'planDeploy', params: fetched }] },
              { guard: { type: 'foundDeployTarget', params: fetched }, target: '#app.stopping.forUpdate', actions: ['promoteToLastGood', { type: 'planDeploy', params: fetched }] },
              { target: '#app.healthy', actions: { type: 'noteFetched', params: fetched } },
            ],
            onError: { target: '#app.healthy', actions: { type: 'noteFetchError', params: failedWith } },
          },
          on: {
            'PROCESS.EXITED': exitedToUnhealthy,
            RESTART: { target: '#app.stopping.forRestart', actions: 'forgiveFailures' },
            'FLEET.HALT': haltWhileRunning,
            'TIMER.PROBATION_ELAPSED': { actions: 'promoteToLastGood' },
            'TIMER.STABLE': { actions: 'resetRestartStreak' },
          },
        },
        // A poll of a failed app: only a new commit (or an operator) starts it again.
        whileFailed: {
          invoke: {
            id: 'fetch', src: 'fetchRemote', input: fetchInput,
            onDone: [
              { guard: { type: 'deployNeedsRolloutSlot', params: fetched }, target: '#app.waitingForRollout', actions: { type: 'planDeploy', params: fetched } },
              { guard: { type: 'foundDeployTarget', params: fetched }, target: '#app.stopping.forUpdate', actions: { type: 'planDeploy', params: fetched } },
              { guard: { type: 'fetchedRequestedCurrent', params: fetched }, target: '#app.starting', actions: { type: 'noteFetched', params: fetched } },
              { target: '#app.failed', actions: { type: 'noteFetched', params: fetched } },
            ],
            onError: { target: '#app.failed', actions: { type: 'noteFetchError', params: failedWith } },
          },
          on: {
            START: { target: 'beforeStart', actions: 'forgiveFailures' },
            RESTART: { target: 'beforeStart', actions: 'forgiveFailures' },
          },
        },
      },
    },
    // Room for a fleet-wide rollout: the new commit waits here (the old one keeps serving) for a slot.
    waitingForRollout: {
      initial: 'asking',
      on: {
        'PROCESS.EXITED': exitedToUnhealthy,
        STOP: { target: 'stopping.forStop', actions: 'abandonPlan' },
        'FLEET.HALT': [
          { guard: { type: 'haltsTarget', params: haltOf }, target: '.halted', actions: [{ type: 'haltCommit', params: haltOf }, 'abandonPlan'] },
          { actions: { type: 'haltCommit', params: haltOf } },
        ],
      },
      states: {
        asking: {
          invoke: {
            id: 'rollout', src: 'rolloutSlot',
            input: ({ context }) => ({ app: context.spec.name, commit: requireCommit(context.targetCommit, 'target'), running: context.processAlive }),
            onDone: [
              {
                guard: { type: 'slotRefused', params: ({ event }) => ({ halted: event.output.halted }) }, target: 'halted',
                actions: [{ type: 'haltCommit', params: ({ context, event }) => ({ commit: requireCommit(context.targetCommit, 'target'), reason: event.output.halted ?? '' }) }, 'abandonPlan'],
              },
              { target: '#app.stopping.forUpdate' },
            ],
            onError: { target: 'retrying', actions: { type: 'noteRolloutError', params: failedWith } },
          },
        },
        retrying: { after: { pollDelay: 'asking' } },
        // The plan is dropped: back to serving what runs, or to starting what is checked out.
        halted: {
          always: [{ guard: 'processAlive', target: '#app.healthy' }, { target: '#app.fetching.beforeStart' }],
        },
      },
    },
    stopping: {
      entry: 'askProcessToStop',
      after: { stopSafety: { actions: 'killProcess' } },
      initial: 'forStop',
      on: {
        SHUTDOWN: { target: '.forShutdown', actions: 'unmarkDeploy' },
        STOP: { target: '.forStop', actions: ['abandonPlan', 'unmarkDeploy'] },
      },
      // Each reason waits for the process to be gone (exit reported or forced), then moves on.
      states: {
        // Marked on disk while the process stops, so the update need not wait for that save.
        forUpdate: { entry: 'noteDeployStarting', always: { guard: 'processGone', target: '#app.updating' } },
        forRollback: { entry: 'noteDeployStarting', always: { guard: 'processGone', target: '#app.updating' } },
        forRestart: { always: { guard: 'processGone', target: '#app.starting' } },
        forRedeploy: { always: { guard: 'processGone', target: '#app.fetching.beforeStart' } },
        forGiveUp: { always: { guard: 'processGone', target: '#app.failed' } },
        forStop: { always: { guard: 'processGone', target: '#app.stopped' } },
        forShutdown: { always: { guard: 'processGone', target: '#app.off' } },
      },
    },
    updating: {
      entry: 'beginUpdate',
      invoke: {
        id: 'update', src: 'updateCheckout',
        input: ({ context }) => ({
          app: context.spec.name,
          commit: requireCommit(context.targetCommit, 'target'),
          previousCommit: context.previousCommit,
        }),
        onDone: [
          { guard: 'targetQuarantinedMeanwhile', target: 'updating', reenter: true, actions: 'returnFromQuarantinedTarget' },
          { target: 'starting', actions: 'completeUpdate' },
        ],
        onError: [
          // An update that fails goes back to the last good commit: never start a half-updated checkout.
          { guard: 'canFallBackToLastGood', target: 'updating', reenter: true, actions: { type: 'fallBackToLastGood', params: updateFailedWith } },
          { target: 'failed', actions: { type: 'noteUpdateFailure', params: failedWith } },
        ],
      },
      on: { STOP: { target: 'stopped', actions: 'abandonPlan' } },
    },
    starting: {
      entry: ['armProbationIfUnproven', 'resetHealth', 'launchProcess'],
      always: { guard: 'nothingToWaitFor', target: 'healthy', actions: becomeHealthy },
      after: {
        startPeriod: [
          { guard: 'hasNoHealthCheck', target: 'healthy', actions: becomeHealthy },
          { actions: 'endStartGrace' },
        ],
      },
      initial: 'waiting',
      on: {
        'PROCESS.EXITED': exitedToUnhealthy,
        RESTART: { target: 'stopping.forRestart', actions: 'forgiveFailures' },
        STOP: 'stopping.forStop',
        DEPLOY: { target: 'stopping.forRedeploy', actions: 'requestDeploy' },
        'FLEET.HALT': haltWhileRunning,
      },
      states: {
        waiting: {
          always: { guard: 'hasNoHealthCheck', target: 'settling' },
          after: { startCheckInterval: 'checking' },
        },
        checking: {
          invoke: {
            id: 'health', src: 'healthCheck', input: healthInput,
            onDone: [
              { guard: { type: 'checkPassed', params: ({ event }) => ({ ok: event.output.ok }) }, target: '#app.healthy', actions: [{ type: 'notePassingCheck', params: checkDetail }, ...becomeHealthy] },
              { guard: 'startHasFailed', target: '#app.unhealthy', actions: [{ type: 'noteFailingCheck', params: checkDetail }, 'noteStartFailure'] },
              { target: 'waiting', actions: { type: 'noteFailingCheck', params: checkDetail } },
            ],
            onError: [
              { guard: 'startHasFailed', target: '#app.unhealthy', actions: [{ type: 'noteFailingCheck', params: checkError }, 'noteStartFailure'] },
              { target: 'waiting', actions: { type: 'noteFailingCheck', params: checkError } },
            ],
          },
        },
        // No health check: surviving the start period is the start.
        settling: {},
      },
    },
    healthy: {
      always: { guard: 'deployRequested', target: 'fetching.whileRunning' },
      after: { pollDelay: 'fetching.whileRunning' },
      initial: 'waiting',
      on: {
        POLL: 'fetching.whileRunning',
        'PROCESS.EXITED': exitedToUnhealthy,
        RESTART: { target: 'stopping.forRestart', actions: 'forgiveFailures' },
        STOP: 'stopping.forStop',
        'FLEET.HALT': haltWhileRunning,
        'TIMER.PROBATION_ELAPSED': { actions: 'promoteToLastGood' },
        'TIMER.STABLE': { actions: 'resetRestartStreak' },
      },
      states: {
        waiting: {
          always: { guard: 'hasNoHealthCheck', target: 'unmonitored' },
          after: { healthInterval: 'checking' },
        },
        checking: {
          invoke: {
            id: 'health', src: 'healthCheck', input: healthInput,
            onDone: [
              { guard: { type: 'checkPassed', params: ({ event }) => ({ ok: event.output.ok }) }, target: 'waiting', actions: { type: 'notePassingCheck', params: checkDetail } },
              { guard: 'retriesExhausted', target: '#app.unhealthy', actions: [{ type: 'noteFailingCheck', params: checkDetail }, 'noteHealthFailure'] },
              { target: 'waiting', actions: { type: 'noteFailingCheck', params: checkDetail } },
            ],
            onError: [
              { guard: 'retriesExhausted', target: '#app.unhealthy', actions: [{ type: 'noteFailingCheck', params: checkError }, 'noteHealthFailure'] },
              { target: 'waiting', actions: { type: 'noteFailingCheck', params: checkError } },
            ],
          },
        },
        unmonitored: {},
      },
    },
    // Reported to the supervisor; waits for its decision (restart, roll back, give up, keep stopped).
    unhealthy: {
      entry: ['openIncident', 'cancelStableTimer', 'reportUnhealthy'],
      on: {
        'SUPERVISOR.RESTART': { guard: 'isCurrentIncident', target: 'stopping.forRestart', actions: 'recordRestart' },
        'SUPERVISOR.ROLLBACK': [
          { guard: and(['isCurrentIncident', 'canRollBack']), target: 'stopping.forRollback', actions: { type: 'beginRollback', params: decisionReason } },
          { guard: 'isCurrentIncident', target: 'stopping.forGiveUp', actions: { type: 'noteGiveUp', params: decisionReason } },
        ],
        'SUPERVISOR.GIVE_UP': { guard: 'isCurrentIncident', target: 'stopping.forGiveUp', actions: { type: 'noteGiveUp', params: decisionReason } },
        'SUPERVISOR.KEEP_STOPPED': { guard: 'isCurrentIncident', target: 'stopping.forStop' },
        RESTART: { target: 'stopping.forRestart', actions: 'forgiveFailures' },
        STOP: 'stopping.forStop',
        DEPLOY: { target: 'stopping.forRedeploy', actions: 'requestDeploy' },
        'FLEET.HALT': haltWhileRunning,
      },
    },
    // Given up on: not restarted, still polling; a new commit or an operator start tries again.
    failed: {
      entry: 'reportFailed',
      always: { guard: 'deployRequested', target: 'fetching.whileFailed' },
      after: { pollDelay: 'fetching.whileFailed' },
      on: {
        POLL: 'fetching.whileFailed',
        START: { target: 'fetching.beforeStart', actions: 'forgiveFailures' },
        RESTART: { target: 'fetching.beforeStart', actions: 'forgiveFailures' },
        STOP: 'stopped',
      },
    },
    stopped: {
      entry: 'reportStopped',
      always: { guard: 'deployRequested', target: 'fetching.beforeStart' },
      on: {
        START: { target: 'fetching.beforeStart', actions: 'forgiveFailures' },
        RESTART: { target: 'fetching.beforeStart', actions: 'forgiveFailures' },
      },
    },
    off: { type: 'final' },
  },
});

export type AppMachine = typeof appMachine;

