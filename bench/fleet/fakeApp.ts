// The app every simulated node runs: a fake remote shared by the fleet, and per node a fake
// checkout, process and health check, all timed with real timers. Only the fleet (etcd) is real.
import { createHash } from 'node:crypto';
import { fromCallback, fromPromise } from 'xstate';
import type {
  AppMachineInput, AppProcessInput, FetchRemoteInput, FetchRemoteOutput, HealthCheckInput, HealthCheckOutput,
  ProcessReport, ProcessStopCommand, UpdateCheckoutInput,
} from '../../machines/index.js';

export const APP = 'app';

/** A commit id as git would print it. */
export function commitId(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

/** How long each step of one node's update takes; their sum is the per-node update time. */
export interface UpdateTimings {
  fetchMs: number;
  stopMs: number;
  checkoutMs: number;
  /** First health check after the start (passes at once). */
  firstCheckMs: number;
  /** Armed when the new version starts; the slot is released when it ends. */
  probationMs: number;
  /** stop + checkout + max(first check, probation): the probation runs from the start on. */
  perNodeMs: number;
}

export function timingsFor(updateMs: number): UpdateTimings {
  const stopMs = Math.round(updateMs * 0.2);
  const checkoutMs = Math.round(updateMs * 0.4);
  const probationMs = updateMs - stopMs - checkoutMs;
  const firstCheckMs = Math.max(1, Math.round(updateMs * 0.1));
  return { fetchMs: 20, stopMs, checkoutMs, firstCheckMs, probationMs, perNodeMs: stopMs + checkoutMs + Math.max(firstCheckMs, probationMs) };
}

/** The branch head every node fetches. */
export class FakeRemote {
  /** Fetches served: each is one poll (or the fetch of an update) of one node. */
  fetches = 0;
  constructor(public head: string) {}
}

export function appSpec(timings: UpdateTimings, pollMs: number, runningCommit: string): AppMachineInput {
  return {
    name: APP,
    poll: { minimumMs: pollMs, maximumMs: 2 * pollMs },
    process: { stopTimeoutMs: 2_000 },
    health: { intervalMs: 1_000, retries: 3, startIntervalMs: timings.firstCheckMs },
    startPeriodMs: Math.max(timings.probationMs, timings.firstCheckMs) + 1_000,
    restart: {
      policy: 'always',
      backoff: { initialMs: 1_000, factor: 2, maxMs: 30_000, jitter: 0.2, resetAfterMs: 60_000 },
      limit: { restarts: 5, windowMs: 300_000 },
    },
    probationMs: timings.probationMs,
    rollback: true,
    depends: [],
    rollout: true,
    // The node ran this commit before (a daemon restart): it starts it again, proven, no probation.
    restored: {
      currentCommit: runningCommit,
      lastGoodCommit: runningCommit,
      remoteHead: runningCommit,
      badCommits: [],
      restarts: { total: 0, recent: 0 },
    },
  };
}

let nextPid = 10_000;

/** One node's effects (all but `rolloutSlot`, which the node's fleet link provides). */
export function fakeNodeActors(remote: FakeRemote, timings: UpdateTimings) {
  // pid of the process serving now; a stopped actor's cleanup must not clear its successor's.
  let running: number | null = null;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return {
    fetchRemote: fromPromise<FetchRemoteOutput, FetchRemoteInput>(async ({ input }) => {
      remote.fetches++;
      await sleep(timings.fetchMs);
      return { commit: input.target ?? remote.head };
    }),
    updateCheckout: fromPromise<void, UpdateCheckoutInput>(async () => {
      await sleep(timings.checkoutMs);
    }),
    healthCheck: fromPromise<HealthCheckOutput, HealthCheckInput>(async () =>
      running === null ? { ok: false, detail: 'connection refused' } : { ok: true, detail: 'HTTP 200' }),
    appProcess: fromCallback<ProcessStopCommand, AppProcessInput>(({ sendBack, receive }) => {
      const pid = nextPid++;
      let timer: NodeJS.Timeout | undefined;
      running = pid;
      sendBack({ type: 'PROCESS.STARTED', pid } satisfies ProcessReport);
      receive(() => {
        if (timer) return;
        timer = setTimeout(() => {
          if (running === pid) running = null;
          sendBack({ type: 'PROCESS.EXITED', code: null, signal: 'SIGTERM' } satisfies ProcessReport);
        }, timings.stopMs);
      });
      return () => {
        clearTimeout(timer);
        if (running === pid) running = null;
      };
    }),
  };
}
