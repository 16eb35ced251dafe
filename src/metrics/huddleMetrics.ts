import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InspectionEvent, StateValue } from 'xstate';
import type { AppContext } from '../../machines/app.types.js';
import { appMachine, topLevelState } from '../../machines/index.js';
import { DEPLOY_RESULTS, startTrack, stepDeploy, type DeployTrack } from './deployOutcomes.js';

/** Every top-level state of the app chart, read from the chart so the gauge never drifts from it. */
export const APP_STATES: readonly string[] = Object.keys(appMachine.root.states);

// A health check answers in milliseconds or times out in seconds; a poll runs git over the network.
const HEALTH_CHECK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const POLL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface HuddleMetricsOptions {
  /** prom-client's process and Node.js metrics (`huddle_process_resident_memory_bytes` …). Default true. */
  processMetrics?: boolean;
  /** Milliseconds, for the timing wrappers (tests pass a simulated clock). */
  now?: () => number;
}

type AppSnapshot = { value: StateValue; context: AppContext };

interface AppSeen {
  /** Session of the app's actor: a forgotten app comes back only with a new actor. */
  session: string;
  state: string;
  commit: string | null;
  restarts: number;
  deploys: DeployTrack;
}

function asAppSnapshot(snapshot: unknown): AppSnapshot | undefined {
  if (typeof snapshot !== 'object' || snapshot === null) return undefined;
  const { context, value } = snapshot as { context?: Partial<AppContext>; value?: unknown };
  if (value === undefined || !context || typeof context !== 'object' || !context.spec || !context.persisted) return undefined;
  return snapshot as AppSnapshot;
}

/** The names of the apps the supervisor holds, when `event` is a snapshot of the root supervisor. */
function supervisedApps(event: InspectionEvent): Set<string> | undefined {
  if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return undefined;
  const apps = (event.snapshot as { context?: { apps?: unknown } }).context?.apps;
  return typeof apps === 'object' && apps !== null ? new Set(Object.keys(apps)) : undefined;
}

/**
 * huddle's Prometheus metrics, in a registry of their own. Fed by the actor system's inspection
 * stream (`observeSnapshot`, for state, commit, restarts, deploys and rollbacks) and by the effects
 * through the timing wrappers (`timePoll`, `timeHealthCheck`).
 */
export class HuddleMetrics {
  readonly registry = new Registry();
  private readonly now: () => number;
  private readonly apps = new Map<string, AppSeen>();
  /** Removed apps, by the session of their last actor: late snapshots and timings of it are dropped. */
  private readonly forgotten = new Map<string, string | null>();

  private readonly appState = new Gauge({
    name: 'huddle_app_state',
    help: 'Current top-level state of the app chart: 1 for the state it is in, 0 for the others.',
    labelNames: ['app', 'state'] as const,
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: 'huddle_app_restarts_total',
    help: 'Restarts of the app ordered by its restart policy (the persisted total, kept across daemon restarts).',
    labelNames: ['app'] as const,
    registers: [this.registry],
  });
  private readonly deploys = new Counter({
    name: 'huddle_deploys_total',
    help: 'Deploys of a new commit by how they ended: success (it became the last good commit), failure, rollback.',
    labelNames: ['app', 'result'] as const,
    registers: [this.registry],
  });
  private readonly rollbacks = new Counter({
    name: 'huddle_rollbacks_total',
    help: 'Rollbacks to the last good commit (a failed update, or a new commit failing its probation).',
    labelNames: ['app'] as const,
    registers: [this.registry],
  });
  private readonly healthCheckDuration = new Histogram({
    name: 'huddle_health_check_duration_seconds',
    help: 'Duration of one health check of the app.',
    labelNames: ['app'] as const,
    buckets: HEALTH_CHECK_BUCKETS,
    registers: [this.registry],
  });
  private readonly healthCheckFailures = new Counter({
    name: 'huddle_health_check_failures_total',
    help: 'Health checks of the app that failed (answered wrong or could not run).',
    labelNames: ['app'] as const,
    registers: [this.registry],
  });
  private readonly pollDuration = new Histogram({
    name: 'huddle_poll_duration_seconds',
    help: 'Duration of one poll of the app repository (clone if missing, read the head, fetch a new commit).',
    labelNames: ['app'] as const,
    buckets: POLL_BUCKETS,
    registers: [this.registry],
  });
  private readonly pollErrors = new Counter({
    name: 'huddle_poll_errors_total',
    help: 'Polls of the app repository that failed.',
    labelNames: ['app'] as const,
    registers: [this.registry],
  });
  private readonly commitInfo = new Gauge({
    name: 'huddle_app_commit_info',
    help: 'Commit the app checkout is at (always 1; absent while an update is under way).',
    labelNames: ['app', 'commit'] as const,
    registers: [this.registry],
  });

  constructor(options: HuddleMetricsOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    if (options.processMetrics ?? true) this.collectProcessMetrics();
  }

  private collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'huddle_' });
    // prom-client's nodejs_active_{handles,requests,resources}_total are gauges: `_total` promises a
    // counter (and rate() over them lies). The same values stay as nodejs_active_{handles,…}.
    // The typings call `type` an enum; at run time it is the string of the TYPE line.
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric.name.endsWith('_total') && String(metric.type) !== 'counter') this.registry.removeSingleMetric(metric.name);
    }
  }

  /** Content-Type of `metricsText()`: the Prometheus text exposition format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  /** An xstate inspection observer: pass it as `inspect` to `createActor` (arrow: safe to pass unbound). */
  readonly observeSnapshot = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = asAppSnapshot(event.snapshot);
    if (snapshot) {
      this.observeApp(event.actorRef.sessionId, snapshot);
      return;
    }
    const supervised = supervisedApps(event);
    if (!supervised) return;
    // The supervisor dropped an app (removed from the config): its series go with it.
    for (const app of [...this.apps.keys()]) if (!supervised.has(app)) this.forget(app);
  };

  /** Times one poll (the fetchRemote effect); a rejection counts as a poll error. Returns `promise`. */
  timePoll<T>(app: string, promise: Promise<T>): Promise<T> {
    const started = this.now();
    void promise.then(
      () => this.recordPoll(app, started, false),
      () => this.recordPoll(app, started, true),
    );
    return promise;
  }

  /** Times one health check; `ok: false` or a rejection counts as a failure. Returns `promise`. */
  timeHealthCheck<T extends { ok: boolean }>(app: string, promise: Promise<T>): Promise<T> {
    const started = this.now();
    void promise.then(
      (result) => this.recordHealthCheck(app, started, !result.ok),
      () => this.recordHealthCheck(app, started, true),
    );
    return promise;
  }

  /** Removes every series of `app`. Its old actor's late snapshots and timings are ignored afterwards. */
  forget(app: string): void {
    const seen = this.apps.get(app);
    this.apps.delete(app);
    this.forgotten.set(app, seen?.session ?? null);
    for (const state of APP_STATES) this.appState.remove({ app, state });
    for (const result of DEPLOY_RESULTS) this.deploys.remove({ app, result });
    if (seen?.commit != null) this.commitInfo.remove({ app, commit: seen.commit });
    for (const metric of [this.restarts, this.rollbacks, this.healthCheckDuration, this.healthCheckFailures,
      this.pollDuration, this.pollErrors]) {
      metric.remove({ app });
    }
  }

  private observeApp(session: string, snapshot: AppSnapshot): void {
    const { context } = snapshot;
    const app = context.spec.name;
    if (this.forgotten.has(app)) {
      if (this.forgotten.get(app) === session) return;
      this.forgotten.delete(app);
    }
    const state = topLevelState(snapshot.value);
    const commit = context.persisted.currentCommit;
    const restarts = context.persisted.restarts.total;
    const previous = this.apps.get(app);
    if (!previous) this.introduce(app);

    if (previous?.state !== state) {
      for (const s of APP_STATES) this.appState.set({ app, state: s }, s === state ? 1 : 0);
    }
    if (previous?.commit !== commit) {
      if (previous?.commit != null) this.commitInfo.remove({ app, commit: previous.commit });
      if (commit !== null) this.commitInfo.set({ app, commit }, 1);
    }
    const counted = previous?.restarts ?? 0;
    if (restarts > counted) {
      this.restarts.inc({ app }, restarts - counted);
    } else if (restarts < counted) {
      // The persisted total went down (state file lost or reset): a counter reset, as Prometheus expects one.
      this.restarts.remove({ app });
      this.restarts.inc({ app }, restarts);
    }
    const step = stepDeploy(previous?.deploys ?? startTrack(context), state, context);
    // The first snapshot is only the baseline: a rollback already in it happened before we looked.
    if (previous) {
      for (const outcome of step.outcomes) this.deploys.inc({ app, result: outcome.result });
      if (step.rolledBack) this.rollbacks.inc({ app });
    }
    this.apps.set(app, { session, state, commit, restarts, deploys: step.track });
  }

  /** Every counter of a new app starts at 0, so `rate()` and `increase()` see its first event. */
  private introduce(app: string): void {
    this.restarts.inc({ app }, 0);
    this.rollbacks.inc({ app }, 0);
    for (const result of DEPLOY_RESULTS) this.deploys.inc({ app, result }, 0);
    this.healthCheckFailures.inc({ app }, 0);
    this.pollErrors.inc({ app }, 0);
  }

  private recordPoll(app: string, started: number, failed: boolean): void {
    if (this.forgotten.has(app)) return;
    this.pollDuration.observe({ app }, (this.now() - started) / 1000);
    this.pollErrors.inc({ app }, failed ? 1 : 0);
  }

  private recordHealthCheck(app: string, started: number, failed: boolean): void {
    if (this.forgotten.has(app)) return;
    this.healthCheckDuration.observe({ app }, (this.now() - started) / 1000);
    this.healthCheckFailures.inc({ app }, failed ? 1 : 0);
  }
}
