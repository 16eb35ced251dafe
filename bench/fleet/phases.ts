// The two measured phases: the fleet at rest, then the rollout of one commit to every node.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ownCpuMs, processCpuMs } from './cpu.js';
import { etcdWork, parseGrpcCounts, requestsBetween, workBetween, type EtcdWork, type MethodRequests } from './etcdMetrics.js';
import { SECOND_COMMIT, type Fleet } from './fleet.js';
import type { SlotMonitor } from './slotMonitor.js';
import { waitFor } from '../lib/waitFor.js';

export interface Window {
  from: number;
  to: number;
  /** Requests etcd served between the two scrapes (the bench's own sampling taken out). */
  requests: MethodRequests[];
  /** Polls (fetches) the nodes made. */
  fetches: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  rssMax: number;
  heapUsedMax: number;
  /** CPU used over the window, as a share of one core: this process (all nodes), and etcd. */
  benchCpu: number;
  etcdCpu: number;
  work: EtcdWork;
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

/** Measures etcd's traffic over [start, end()], scraping its /metrics at both ends. */
async function measureWindow(fleet: Fleet, during: (sample: () => void) => Promise<void>, ownRangeCalls: () => number): Promise<Window> {
  let rssMax = 0;
  let heapUsedMax = 0;
  const sample = () => {
    const memory = process.memoryUsage();
    rssMax = Math.max(rssMax, memory.rss);
    heapUsedMax = Math.max(heapUsedMax, memory.heapUsed);
  };
  const fetches = fleet.remote.fetches;
  const beforeText = await fleet.etcd.metrics();
  const before = parseGrpcCounts(beforeText);
  const ownCpu = ownCpuMs();
  const etcdCpu = processCpuMs(fleet.etcd.pid);
  const from = Date.now();
  loopDelay.reset();
  sample();
  await during(sample);
  sample();
  const to = Date.now();
  const benchCpu = (ownCpuMs() - ownCpu) / (to - from);
  const etcdCpuShare = (processCpuMs(fleet.etcd.pid) - etcdCpu) / (to - from);
  const afterText = await fleet.etcd.metrics();
  const after = parseGrpcCounts(afterText);
  const requests = requestsBetween(before, after);
  const range = requests.find((r) => r.method === 'KV/Range');
  if (range) range.requests -= ownRangeCalls();
  return {
    from, to, requests,
    fetches: fleet.remote.fetches - fetches,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    rssMax, heapUsedMax,
    benchCpu, etcdCpu: etcdCpuShare,
    work: workBetween(etcdWork(beforeText), etcdWork(afterText)),
  };
}

/** Every node healthy and polling, nothing to deploy: what the fleet costs etcd in steady state. */
export async function measureRest(fleet: Fleet, seconds: number, log: (line: string) => void): Promise<Window> {
  log(`at rest for ${seconds} s`);
  return measureWindow(fleet, async (sample) => {
    const end = Date.now() + seconds * 1000;
    // A measurement window, not a wait for a condition: memory is sampled once a second meanwhile.
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, end - Date.now())));
      sample();
    }
  }, () => 0);
}

export interface RolloutResult {
  window: Window;
  pushAt: number;
  lastDoneAt: number | undefined;
  lastReleaseAt: number | undefined;
  completed: boolean;
  /** Why it did not complete: the fleet's states and the nodes left behind. */
  stuck: string[];
}

/**
 * Moves the branch head to the second commit and tells every node to poll at once (the thundering
 * herd), then waits until every node is healthy on it past probation and every slot is released.
 */
export async function measureRollout(
  fleet: Fleet, monitor: SlotMonitor, options: { sampleMs: number; timeoutMs: number; spreadMs: number }, log: (line: string) => void,
): Promise<RolloutResult> {
  const { tracker, nodes } = fleet;
  let pushAt = 0;
  let completed = false;
  let stuck: string[] = [];
  tracker.beginRollout(SECOND_COMMIT);
  const callsBefore = monitor.sampleCalls;
  const result = await measureWindow(fleet, async (sample) => {
    monitor.startSampler(options.sampleMs, sample);
    pushAt = Date.now();
    fleet.remote.head = SECOND_COMMIT;
    const polls: NodeJS.Timeout[] = [];
    if (options.spreadMs === 0) for (const node of nodes) node.poll();
    else for (const node of nodes) polls.push(setTimeout(() => node.poll(), Math.random() * options.spreadMs));
    log(`pushed ${SECOND_COMMIT.slice(0, 7)}, ${nodes.length} nodes polled ${options.spreadMs === 0 ? 'at once' : `within ${options.spreadMs} ms`}`);
    const progress = setInterval(() => {
      log(`  ${((Date.now() - pushAt) / 1000).toFixed(1)} s: ${tracker.done}/${nodes.length} done, ` +
        `${monitor.count} slot(s) held, ${tracker.updatingNow} updating`);
    }, 2000);
    try {
      await waitFor(() => tracker.done === nodes.length && monitor.count === 0, {
        timeoutMs: options.timeoutMs,
        intervalMs: 5,
        what: 'every node healthy on the new commit with its slot released',
      });
      completed = true;
    } catch (error) {
      stuck = [
        (error as Error).message,
        `apps: ${tracker.histogram()}`,
        `slots held: ${monitor.count}`,
        ...tracker.laggards(),
      ];
    } finally {
      for (const poll of polls) clearTimeout(poll);
      clearInterval(progress);
      await monitor.stopSampler();
    }
  }, () => monitor.sampleCalls - callsBefore);
  return { window: result, pushAt, lastDoneAt: tracker.lastDoneAt, lastReleaseAt: monitor.lastReleaseAt, completed, stuck };
}
