// Pieces the application chart (./app.machine.ts) uses in several transitions: params and input
// mappers for actor results and events, and transitions shared by states. Data only.
import { errorMessage } from './app.context.js';
import type { AppContext, FetchRemoteInput, FetchRemoteOutput, HealthCheckInput, HealthCheckOutput } from './app.types.js';
import type { CommitParams, DetailParams, ErrorParams, HaltParams, ReasonParams, UpdateErrorParams } from './app.setup.js';

// Params mappers shared by the transitions that react to the same actor results.
export const fetched = ({ event }: { event: { output: FetchRemoteOutput } }): CommitParams => ({
  commit: event.output.commit,
  ...(event.output.cloned === true ? { cloned: true } : {}),
  ...(event.output.filesProblem === undefined ? {} : { filesProblem: event.output.filesProblem }),
});
export const failedWith = ({ event }: { event: { error: unknown } }): ErrorParams => ({ error: errorMessage(event.error) });
export const updateFailedWith = ({ event }: { event: { error: unknown } }): UpdateErrorParams => ({
  error: errorMessage(event.error),
  nodeLocal: typeof event.error === 'object' && event.error !== null && (event.error as { nodeLocal?: unknown }).nodeLocal === true,
});
export const checkDetail = ({ event }: { event: { output: HealthCheckOutput } }): DetailParams => ({ detail: event.output.detail });
export const checkError = ({ event }: { event: { error: unknown } }): DetailParams => ({ detail: `check failed: ${errorMessage(event.error)}` });
export const decisionReason = ({ event }: { event: { reason: string } }): ReasonParams => ({ reason: event.reason });
export const fetchInput = ({ context }: { context: AppContext }): FetchRemoteInput => ({
  app: context.spec.name,
  currentCommit: context.persisted.currentCommit,
  ...(context.fetchTarget !== null ? { target: context.fetchTarget } : {}),
});
export const haltOf = ({ event }: { event: { commit: string; reason: string } }): HaltParams => ({ commit: event.commit, reason: event.reason });
export const haltReason = ({ event }: { event: { reason: string } }): ReasonParams => ({ reason: `halted by the fleet: ${event.reason}` });
export const healthInput = ({ context }: { context: AppContext }): HealthCheckInput => ({ app: context.spec.name });

export const exitedToUnhealthy = { target: '#app.unhealthy', actions: ['recordExit', 'forgetProcess', 'noteExitFailure'] } as const;
// A halted commit running here on probation is rolled back at once; otherwise it is only quarantined.
export const haltWhileRunning = [
  { guard: { type: 'canRollBackFrom', params: haltOf }, target: '#app.stopping.forRollback', actions: { type: 'beginRollback', params: haltReason } },
  { actions: { type: 'haltCommit', params: haltOf } },
] as const;
export const becomeHealthy = ['clearRecoveredErrors', 'reportHealthy', 'armStableTimer', 'promoteIfProbationOverdue'] as const;
