// Pure functions over the application chart's context: the chart's named guards and actions are
// thin wrappers around these, so the decisions can be read (and tested) without the chart.
import type { AppContext, AppMachineInput, AppPersisted, AppSpec, ErrorSource } from './app.types.js';

/** Quarantine is remembered for this many commits; older entries fall off. */
export const MAX_BAD_COMMITS = 20;

export const emptyPersisted: AppPersisted = {
  currentCommit: null,
  lastGoodCommit: null,
  remoteHead: null,
  badCommits: [],
  restarts: { total: 0, recent: 0 },
};

export function specOf(input: AppMachineInput): AppSpec {
  const { restored: _restored, ...spec } = input;
  return spec;
}

export function initialAppContext(input: AppMachineInput): AppContext {
  const restored = input.restored ?? emptyPersisted;
  return {
    spec: specOf(input),
    persisted: {
      currentCommit: restored.deploying ? null : restored.currentCommit,
      lastGoodCommit: restored.lastGoodCommit,
      remoteHead: restored.remoteHead,
      badCommits: restored.badCommits.slice(-MAX_BAD_COMMITS),
      restarts: { total: restored.restarts.total, recent: restored.restarts.recent },
    },
    targetCommit: null,
    previousCommit: restored.currentCommit,
    requestedCommit: null,
    fetchTarget: null,
    processAlive: false,
    pid: null,
    lastExit: null,
    health: { status: 'unknown', detail: '', consecutiveFailures: 0 },
    startGraceOver: false,
    failure: null,
    incident: 0,
    restartStreak: 0,
    restartEpoch: 0,
    probation: null,
    waitingFor: [],
    lastError: null,
    rolledBack: null,
  };
}

export function withPersisted(context: AppContext, patch: Partial<AppPersisted>): AppPersisted {
  return { ...context.persisted, ...patch };
}

/**
 * The context as a fetch found the checkout: one it had to clone holds the branch tip, not the
 * commit recorded, and nothing ran in it yet, so the commit it is at counts as unknown (the next
 * commit to run goes through `updating`: checkout, hooks, install).
 */
export function seenByFetch(context: AppContext, fetch: { cloned?: boolean }): AppContext {
  if (fetch.cloned !== true || context.persisted.currentCommit === null) return context;
  return { ...context, persisted: withPersisted(context, { currentCommit: null }) };
}

/**
 * Which commit to deploy after a fetch returned `fetched`, or null to keep what is there.
 * A change is a new commit id: a head already seen is not redeployed (so an operator's older
 * `deploy` stays until the branch moves), a quarantined one never is, unless asked for explicitly.
 * When nothing usable is checked out (an update failed or was cut short, or the checkout is a
 * quarantined commit), the head, or else the last good commit, repairs it.
 */
export function chooseDeployTarget(context: AppContext, fetched: string): string | null {
  const { currentCommit, remoteHead, lastGoodCommit } = context.persisted;
  if (context.fetchTarget !== null) return fetched === currentCommit ? null : fetched;
  const usable = hasUsableCheckout(context);
  if (!isQuarantined(context, fetched) && fetched !== currentCommit && (fetched !== remoteHead || !usable)) return fetched;
  if (!usable && lastGoodCommit !== null && lastGoodCommit !== currentCommit && !isQuarantined(context, lastGoodCommit)) {
    return lastGoodCommit;
  }
  return null;
}

export function isQuarantined(context: AppContext, commit: string): boolean {
  return context.persisted.badCommits.includes(commit);
}

/** The checkout is at a known commit that may run. */
export function hasUsableCheckout(context: AppContext): boolean {
  const { currentCommit } = context.persisted;
  return currentCommit !== null && !isQuarantined(context, currentCommit);
}

export function quarantine(badCommits: string[], commit: string): string[] {
  return [...badCommits.filter((c) => c !== commit), commit].slice(-MAX_BAD_COMMITS);
}

/** The running commit is new, still inside its probation, and there is a good one to return to. */
export function canRollBack(context: AppContext): boolean {
  const { currentCommit, lastGoodCommit } = context.persisted;
  return context.spec.rollback && lastGoodCommit !== null && currentCommit !== null && lastGoodCommit !== currentCommit;
}

export function inProbation(context: AppContext): boolean {
  const { probation } = context;
  return (
    canRollBack(context) && probation !== null && probation.status === 'running' &&
    probation.commit === context.persisted.currentCommit
  );
}

export function clearErrorFrom(context: AppContext, sources: ErrorSource[]): AppContext['lastError'] {
  return context.lastError !== null && sources.includes(context.lastError.source) ? null : context.lastError;
}

export function describeExit(code: number | null, signal: string | null): string {
  if (signal !== null) return `process killed by ${signal}`;
  if (code !== null) return `process exited with code ${code}`;
  return 'process ended';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

export function shortCommit(commit: string | null): string {
  return commit === null ? '(none)' : commit.slice(0, 12);
}
