// Types of the application chart: its input (a plain spec src/ derives from an app config), its
// context (what `huddle status` shows and what the daemon persists), its events, and the contracts
// of the actors src/ provides with `appMachine.provide({ actors })`.

export type RestartPolicy = 'always' | 'on-failure' | 'never';

export interface BackoffSpec {
  /** Delay before the first restart after a stable run; absent: `initialMs`, like every other. */
  firstMs?: number;
  initialMs: number;
  factor: number;
  maxMs: number;
  /** Fraction (0..1) of each delay that may be taken off at random, so a fleet does not restart in lockstep. */
  jitter: number;
  /** Healthy this long without interruption → the next failure backs off from `initialMs` again. */
  resetAfterMs: number;
}

export interface RestartSpec {
  policy: RestartPolicy;
  backoff: BackoffSpec;
  /** More than `restarts` restarts within `windowMs` → give up (or roll back inside probation). */
  limit: { restarts: number; windowMs: number };
}

export interface HealthSpec {
  intervalMs: number;
  /** Consecutive failed checks that make the app unhealthy. */
  retries: number;
  /**
   * Checks during the start period, while failures do not count yet, come this far apart (at most
   * `intervalMs`; default `intervalMs`), so a new version serves as soon as it answers.
   */
  startIntervalMs?: number;
}

export interface ProcessSpec {
  /** How long the process actor waits after the stop signal before it kills the tree. */
  stopTimeoutMs: number;
}

/** Everything the chart needs to know about one app. Plain data: src/ builds it from the config. */
export interface AppSpec {
  name: string;
  poll: { minimumMs: number; maximumMs: number };
  /** null: a file deployment (files and an optional reload, nothing to keep running). */
  process: ProcessSpec | null;
  health: HealthSpec | null;
  /** Failed checks do not count during this time after a start; with no check, surviving it is the start. */
  startPeriodMs: number;
  restart: RestartSpec;
  probationMs: number;
  /** Roll a failing new commit back to the last good one (and quarantine it). */
  rollback: boolean;
  depends: string[];
  /** Wait for a fleet rollout slot (the `rolloutSlot` actor) before replacing the running version. */
  rollout: boolean;
  /**
   * Digest of the app's whole config as src/ sees it: a change the chart does not read itself (the
   * start command, env, URLs, hooks) still makes a different spec, so APP.CHANGE replaces the app.
   */
  revision?: string;
}

export interface AppMachineInput extends AppSpec {
  /** What the last daemon run persisted (`context.persisted`), if anything. */
  restored?: AppPersisted | null;
}

/** What survives a daemon restart. The chart starts from `idle` with it and re-arms its own waits. */
export interface AppPersisted {
  /** The commit the checkout is known to be at; null while an update is under way or after one failed. */
  currentCommit: string | null;
  lastGoodCommit: string | null;
  /** The last branch head seen; a poll deploys only a head different from this one (a new commit id). */
  remoteHead: string | null;
  /** Quarantined commits, newest last; never deployed again unless an operator deploys one explicitly. */
  badCommits: string[];
  /**
   * The commit of an update about to touch the checkout: set when the app is stopped for it (the
   * save overlaps the stop), cleared when an update completes. A daemon that boots with it set does
   * not trust `currentCommit`: the checkout may lie anywhere between the two commits.
   */
  deploying?: string | null;
  /** `recent` = restarts still inside the restart-limit window. */
  restarts: { total: number; recent: number };
}

export type FailureCause = 'exited' | 'health' | 'start';

export interface AppFailure {
  cause: FailureCause;
  /** Exit code and signal when the cause is an exit. */
  code: number | null;
  signal: string | null;
  detail: string;
}

export type ErrorSource = 'fetch' | 'update' | 'process' | 'health' | 'rollout' | 'policy';

export interface AppContext {
  spec: AppSpec;
  persisted: AppPersisted;
  /** Commit the current update/rollout is about. */
  targetCommit: string | null;
  /** Commit the checkout was at before the current update (for hooks). */
  previousCommit: string | null;
  /** An operator's `deploy <commit>` not yet handled. */
  requestedCommit: string | null;
  /** The explicit commit the running fetch is about (taken from `requestedCommit`). */
  fetchTarget: string | null;
  processAlive: boolean;
  pid: number | null;
  lastExit: { code: number | null; signal: string | null } | null;
  health: { status: 'unknown' | 'passing' | 'failing'; detail: string; consecutiveFailures: number };
  /** The start period is over: failed checks now count toward a failed start. */
  startGraceOver: boolean;
  failure: AppFailure | null;
  /** Increments each time the app turns unhealthy; decisions carry it so stale ones are ignored. */
  incident: number;
  /** Restarts since the last stable period: the exponent of the backoff. */
  restartStreak: number;
  /** Bumped when the restart window is forgiven, so expiry timers armed before do not count. */
  restartEpoch: number;
  probation: { commit: string; status: 'running' | 'overdue' } | null;
  waitingFor: string[];
  lastError: { source: ErrorSource; message: string } | null;
  rolledBack: { from: string; to: string; reason: string } | null;
}

// ---- actor contracts (src/ implements them) ----

/** `fetchRemote` (fromPromise): clone when missing, read the branch head, fetch objects only when new. */
export interface FetchRemoteInput {
  app: string;
  currentCommit: string | null;
  /** An explicit commit an operator asked to deploy: fetch it and return it. */
  target?: string;
}
export interface FetchRemoteOutput {
  commit: string;
  /**
   * The checkout was missing (a new `local path`, a deleted directory) and this fetch cloned it:
   * it holds the branch tip, not `currentCommit`, and no hook or install step ran in it. The chart
   * then takes the checked-out commit as unknown, so what it runs goes through `updating`.
   */
  cloned?: boolean;
  /**
   * The app's `files` could not be placed from its checkout as it is (after a config edit that
   * changed them): why. Reported, not fatal: an update places them again from its own tree.
   */
  filesProblem?: string;
}

/**
 * `updateCheckout` (fromPromise): check out `commit` exactly, run hooks/install; reject on failure.
 * A rejection whose error has `nodeLocal: true` failed for a reason of this node (its checkout, a
 * lock, local edits, a timeout), not of the commit: the commit is not quarantined for it (with a
 * fleet, a quarantine counts toward a fleet-wide halt).
 */
export interface UpdateCheckoutInput {
  app: string;
  commit: string;
  previousCommit: string | null;
}

/** `healthCheck` (fromPromise): one check; a rejection counts as a failed check. */
export interface HealthCheckInput {
  app: string;
}
export interface HealthCheckOutput {
  ok: boolean;
  detail: string;
}

/**
 * `rolloutSlot` (fromPromise): resolves when this node may replace its running version, or with
 * `halted` when the fleet halted the commit (it is then not deployed); rejects to retry later.
 */
export interface RolloutSlotInput {
  app: string;
  commit: string;
  /** The old version is running: replacing it takes capacity from the fleet (a first start does not). */
  running: boolean;
}
export interface RolloutSlotOutput {
  /** Why the fleet halted the commit; null: go ahead. */
  halted: string | null;
}

/** `appProcess` (fromCallback): one per started process, spawned with id `process`. */
export interface AppProcessInput {
  app: string;
  commit: string;
}
/** Received by the process actor: stop gracefully (signal, stop timeout, kill tree), then report EXITED. */
export interface ProcessStopCommand {
  type: 'PROCESS.STOP';
}
export type ProcessReport =
  | { type: 'PROCESS.STARTED'; pid: number }
  | { type: 'PROCESS.EXITED'; code: number | null; signal: string | null; detail?: string };

// ---- events the app receives ----

/** Operator commands (forwarded by the supervisor's APP.COMMAND). */
export type AppCommand =
  | { type: 'START' }
  | { type: 'STOP' }
  | { type: 'RESTART' }
  | { type: 'POLL' }
  | { type: 'DEPLOY'; commit: string }
  /**
   * The fleet halted `commit` (too many nodes failed it, or an operator): never deploy it, and
   * roll back from it when it runs on probation here.
   */
  | { type: 'FLEET.HALT'; commit: string; reason: string };

/** Decisions of the supervisor about an `unhealthy` app; `incident` must match the report's. */
export type SupervisorDecision =
  | { type: 'SUPERVISOR.RESTART'; incident: number }
  | { type: 'SUPERVISOR.ROLLBACK'; incident: number; reason: string }
  | { type: 'SUPERVISOR.GIVE_UP'; incident: number; reason: string }
  | { type: 'SUPERVISOR.KEEP_STOPPED'; incident: number; reason: string };

/** Raised by the chart itself through delayed, cancellable events. */
export type AppTimerEvent =
  | { type: 'TIMER.PROBATION_ELAPSED' }
  | { type: 'TIMER.STABLE' }
  | { type: 'TIMER.RESTART_EXPIRED'; epoch: number };

export type AppEvent =
  | AppCommand
  | { type: 'SHUTDOWN' }
  | { type: 'WAIT_FOR'; apps: string[] }
  | SupervisorDecision
  | ProcessReport
  | AppTimerEvent;

// ---- reports the app sends to its parent (the supervisor) ----

export type AppReport =
  | { type: 'APP.HEALTHY'; app: string; commit: string | null }
  | {
      type: 'APP.UNHEALTHY';
      app: string;
      incident: number;
      commit: string | null;
      failure: AppFailure;
      /** Restarts inside the restart-limit window so far. */
      recentRestarts: number;
      /** Restarts since the last stable period (backoff exponent). */
      streak: number;
      /** The commit is a new one on probation and can be rolled back. */
      probation: boolean;
    }
  | { type: 'APP.DOWN'; app: string; state: 'failed' | 'stopped'; reason: string | null };
