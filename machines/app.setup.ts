// The application chart's setup: its types, the placeholders of the actors src/ provides, its named
// guards and delays. The actions are in ./app.actions.ts, the chart itself in ./app.machine.ts.
import { fromCallback, fromPromise, setup } from 'xstate';
import { canRollBack, chooseDeployTarget, hasUsableCheckout, seenByFetch } from './app.context.js';
import { STOP_SAFETY_MARGIN_MS, pollDelayMs } from './backoff.js';
import type {
  AppContext, AppEvent, AppMachineInput, AppPersisted, AppProcessInput, FetchRemoteInput, FetchRemoteOutput,
  HealthCheckInput, HealthCheckOutput, ProcessStopCommand, RolloutSlotInput, RolloutSlotOutput, UpdateCheckoutInput,
} from './app.types.js';

function notProvided(name: string): Error {
  return new Error(`actor ${name} not provided: src/ supplies it with appMachine.provide({ actors: { ${name} } })`);
}

/** A fetch's result; `cloned`: see FetchRemoteOutput. */
export type CommitParams = { commit: string; cloned?: boolean; filesProblem?: string };
export type ErrorParams = { error: string };
/** An update's failure; `nodeLocal`: see UpdateCheckoutInput. */
export type UpdateErrorParams = ErrorParams & { nodeLocal: boolean };
export type DetailParams = { detail: string };
export type ReasonParams = { reason: string };
export type HaltParams = { commit: string; reason: string };

export const appSetup = setup({
  types: {
    context: {} as AppContext,
    events: {} as AppEvent,
    input: {} as AppMachineInput,
    output: {} as AppPersisted,
    children: {} as {
      process: 'appProcess'; fetch: 'fetchRemote'; update: 'updateCheckout'; health: 'healthCheck'; rollout: 'rolloutSlot';
    },
  },
  actors: {
    fetchRemote: fromPromise<FetchRemoteOutput, FetchRemoteInput>(async () => { throw notProvided('fetchRemote'); }),
    updateCheckout: fromPromise<void, UpdateCheckoutInput>(async () => { throw notProvided('updateCheckout'); }),
    healthCheck: fromPromise<HealthCheckOutput, HealthCheckInput>(async () => { throw notProvided('healthCheck'); }),
    rolloutSlot: fromPromise<RolloutSlotOutput, RolloutSlotInput>(async () => { throw notProvided('rolloutSlot'); }),
    appProcess: fromCallback<ProcessStopCommand, AppProcessInput>(() => { throw notProvided('appProcess'); }),
  },
  guards: {
    deployRequested: ({ context }) => context.requestedCommit !== null,
    hasUsableCheckout: ({ context }) => hasUsableCheckout(context),
    foundDeployTarget: ({ context }, params: CommitParams) => chooseDeployTarget(seenByFetch(context, params), params.commit) !== null,
    deployNeedsRolloutSlot: ({ context }, params: CommitParams) =>
      context.spec.rollout && chooseDeployTarget(seenByFetch(context, params), params.commit) !== null,
    fetchedRequestedCurrent: ({ context }, params: CommitParams) =>
      context.fetchTarget !== null && params.commit === seenByFetch(context, params).persisted.currentCommit,
    fetchLeftUsableCheckout: ({ context }, params: CommitParams) => hasUsableCheckout(seenByFetch(context, params)),
    slotRefused: (_, { halted }: { halted: string | null }) => halted !== null,
    haltsTarget: ({ context }, { commit }: Pick<HaltParams, 'commit'>) => context.targetCommit === commit,
    canRollBackFrom: ({ context }, { commit }: Pick<HaltParams, 'commit'>) =>
      context.persisted.currentCommit === commit && canRollBack(context),
    processAlive: ({ context }) => context.processAlive,
    processGone: ({ context }) => !context.processAlive,
    fetchCloned: (_, params: CommitParams) => params.cloned === true,
    hasHealthCheck: ({ context }) => context.spec.health !== null,
    hasNoHealthCheck: ({ context }) => context.spec.health === null,
    nothingToWaitFor: ({ context }) => context.spec.process === null && context.spec.health === null,
    checkPassed: (_, { ok }: { ok: boolean }) => ok,
    retriesExhausted: ({ context }) => context.health.consecutiveFailures + 1 >= (context.spec.health?.retries ?? 1),
    startHasFailed: ({ context }) =>
      context.startGraceOver && context.health.consecutiveFailures + 1 >= (context.spec.health?.retries ?? 1),
    isCurrentIncident: ({ context, event }) => 'incident' in event && event.incident === context.incident,
    canRollBack: ({ context }) => canRollBack(context),
    targetQuarantinedMeanwhile: ({ context }) =>
      context.targetCommit !== null && context.persisted.badCommits.includes(context.targetCommit) &&
      context.persisted.lastGoodCommit !== null && context.persisted.lastGoodCommit !== context.targetCommit,
    canFallBackToLastGood: ({ context }) =>
      context.persisted.lastGoodCommit !== null && context.persisted.lastGoodCommit !== context.targetCommit,
  },
  delays: {
    // The only randomness of the chart: replace with provide({ delays }) for deterministic tests.
    pollDelay: ({ context }) => pollDelayMs(context.spec.poll.minimumMs, context.spec.poll.maximumMs, Math.random()),
    healthInterval: ({ context }) => context.spec.health?.intervalMs ?? 0,
    // While the app starts, failed checks do not count yet: check often, so a new version serves
    // as soon as it answers rather than one full interval later.
    startCheckInterval: ({ context }) => {
      const health = context.spec.health;
      if (!health) return 0;
      return context.startGraceOver ? health.intervalMs : Math.min(health.intervalMs, health.startIntervalMs ?? health.intervalMs);
    },
    startPeriod: ({ context }) => context.spec.startPeriodMs,
    stopSafety: ({ context }) => (context.spec.process?.stopTimeoutMs ?? 0) + STOP_SAFETY_MARGIN_MS,
    probation: ({ context }) => context.spec.probationMs,
    backoffReset: ({ context }) => context.spec.restart.backoff.resetAfterMs,
    restartWindow: ({ context }) => context.spec.restart.limit.windowMs,
  },
});
