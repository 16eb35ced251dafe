// The bench's output: one table of figures, then etcd's requests per method, then any problem.
import type { Fleet } from './fleet.js';
import type { FleetBenchOptions } from './options.js';
import type { RolloutResult, Window } from './phases.js';
import type { SlotMonitor } from './slotMonitor.js';
import type { SlotStats, Spread } from './slotStats.js';
import { mib, ms, num, sec, textTable } from './table.js';

export interface Findings {
  options: FleetBenchOptions;
  fleet: Fleet;
  monitor: SlotMonitor;
  rest: Window;
  rollout: RolloutResult;
  slots: number;
  stats: SlotStats;
  /** Presence entries healthy on the new commit once the rollout was over. */
  publishedOnNew: number;
}

const spreadText = (s: Spread) => (s.n === 0 ? '-' : `mean ${ms(s.mean)}, p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, max ${ms(s.max)}`);
const pct = (share: number) => `${num(share * 100, 0)}%`;
const minutes = (w: Window) => (w.to - w.from) / 60_000;

/** Prints the report; returns the problems that make the run a failure. */
export function printReport(f: Findings): string[] {
  const { options, fleet, monitor, rest, rollout, slots, stats } = f;
  const n = options.nodes;
  const t = fleet.timings;
  const waves = Math.ceil(n / slots);
  const ideal = waves * t.perNodeMs;
  const end = rollout.lastReleaseAt ?? rollout.lastDoneAt;
  const took = end === undefined ? NaN : end - rollout.pushAt;
  const limits = [...new Set(fleet.logs.slotsTaken.map((s) => s.limit))].sort((a, b) => a - b);
  const seenNodes = [...new Set(fleet.logs.slotsTaken.map((s) => s.nodes))].sort((a, b) => a - b);
  const clients = Math.min(options.clients, n);
  const rows: string[][] = [
    ['fleet', `${n} nodes on ${clients} etcd client(s), lease TTL ${options.leaseTtl} s, poll every ${options.pollMs}–${2 * options.pollMs} ms`],
    ['max concurrent', `${options.percent}% → ${slots} slot(s)`],
    ['after the push', options.spreadMs === 0 ? 'every node polls at once' : `each node polls at a random time within ${options.spreadMs} ms`],
    ['per-node update time', `${ms(t.perNodeMs)} = stop ${t.stopMs} + checkout ${t.checkoutMs} + max(first check ${t.firstCheckMs}, probation ${t.probationMs})`],
    ['fleet startup', `${sec(fleet.startupMs)} (all healthy on c1 and published)`],
    ['', ''],
    ['rollout time', `${sec(took)}  (push → last slot released${rollout.completed ? '' : ', NOT COMPLETED'})`],
    ['  last node done', rollout.lastDoneAt === undefined ? '-' : sec(rollout.lastDoneAt - rollout.pushAt)],
    ['ideal', `${sec(ideal)}  (ceil(${n}/${slots}) = ${waves} waves × ${ms(t.perNodeMs)}; + one fetch of ${t.fetchMs} ms)`],
    ['rollout / ideal', `${num(took / ideal, 2)}×`],
    ['slot hold time', spreadText(stats.hold)],
    ['release → next take', spreadText(stats.handoff)],
    ['all slots first held', stats.firstFullAfter === undefined ? 'never' : `${ms(stats.firstFullAfter)} after the push (ideal: one fetch)`],
    ['semaphore Txn per slot', txnPerSlot(rollout.window, stats.taken)],
    ['slot utilisation', `${num(stats.utilisation * 100, 0)}% of ${slots} slot(s) over the rollout`],
    ['', ''],
    ['max concurrency (watch)', `${monitor.maxCount} slot(s)${monitor.maxRevision ? ` at revision ${monitor.maxRevision}` : ''}  (exact: every put/delete in revision order)`],
    ['max concurrency (sampled)', `${monitor.sampledMax} slot(s)  (${monitor.samples} count-only ranges, one every ${ms((rollout.window.to - rollout.window.from) / Math.max(1, monitor.samples))} for ${options.sampleMs} asked)`],
    ['max nodes updating', `${fleet.tracker.maxInUpdate}  (snapshots: stopping → end of probation)`],
    ['slot limit the gates used', `${limits.join(', ') || '-'}  (from ${seenNodes.join(', ') || '-'} live node(s) seen; ${fleet.logs.slotsTaken.length} slots taken)`],
    ['', ''],
    ['polls at rest', `${num(rest.fetches / n / minutes(rest), 1)} per node per minute`],
    ['memory (rss)', `${mib(rest.rssMax)} at rest, ${mib(rollout.window.rssMax)} peak in rollout; heap ${mib(rest.heapUsedMax)} / ${mib(rollout.window.heapUsedMax)}`],
    ['CPU (share of one core)', `bench process ${pct(rest.benchCpu)} at rest, ${pct(rollout.window.benchCpu)} in rollout; etcd ${pct(rest.etcdCpu)} / ${pct(rollout.window.etcdCpu)}`],
    ['etcd raft/disk', `${workText(rest)} at rest; ${workText(rollout.window)} in rollout`],
    ['event loop delay', `at rest p99 ${ms(rest.loopDelayP99Ms)} max ${ms(rest.loopDelayMaxMs)}; rollout p99 ${ms(rollout.window.loopDelayP99Ms)} max ${ms(rollout.window.loopDelayMaxMs)}`],
  ];
  console.log(`\nfleet rollout: ${n} nodes, max concurrent ${options.percent}%, per-node update ${options.updateMs} ms\n`);
  console.log(textTable(rows.map(([k, v]) => [k!, v!]), undefined, false));
  console.log(`\netcd requests per node per minute (unary calls; stream messages for Watch and LeaseKeepAlive)\n`);
  console.log(requestTable(rest, rollout.window, n));

  const problems: string[] = [];
  const worst = Math.max(monitor.maxCount, monitor.sampledMax, fleet.tracker.maxInUpdate);
  if (worst > slots) problems.push(`slot limit exceeded: ${worst} at once for ${slots} slot(s)`);
  if (!rollout.completed) problems.push(...rollout.stuck);
  if (stats.oddNodes.length > 0) {
    problems.push(`nodes that did not take exactly one slot: ${stats.oddNodes.slice(0, 10).map((o) => `${o.node}×${o.slots}`).join(', ')}${stats.oddNodes.length > 10 ? ` (+${stats.oddNodes.length - 10})` : ''}`);
  }
  if (monitor.unknownDeletes > 0) problems.push(`${monitor.unknownDeletes} slot key(s) deleted that were taken before the watch started`);
  if (f.publishedOnNew !== n) problems.push(`presence in etcd: ${f.publishedOnNew}/${n} nodes healthy on the new commit after the rollout`);
  if (fleet.errors.length > 0) problems.push(`supervisor errors: ${fleet.errors.length}; first: ${fleet.errors[0]}`);
  for (const [message, count] of fleet.tracker.rolloutErrors) problems.push(`rollout gate error ×${count}: ${message}`);
  if (fleet.tracker.retried.size > 0) problems.push(`${fleet.tracker.retried.size} node(s) had to retry the rollout gate (waitingForRollout.retrying)`);
  for (const [node, what] of [...fleet.tracker.troubled].slice(0, 10)) problems.push(`${node} went ${what}`);
  if (fleet.logs.problems.length > 0) problems.push(`${fleet.logs.problems.length} warning/error line(s) in the fleet links' log; first: ${fleet.logs.problems[0]}`);
  if (monitor.sampleErrors > 0) problems.push(`${monitor.sampleErrors} slot count sample(s) failed`);
  console.log(problems.length === 0 ? '\nno problems seen' : `\nPROBLEMS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return problems;
}

function workText(w: Window): string {
  const { proposalsCommitted, walFsyncs, walFsyncSeconds } = w.work;
  const mean = walFsyncs > 0 ? `, mean ${num((walFsyncSeconds / walFsyncs) * 1000, 1)} ms` : '';
  return `${proposalsCommitted} proposals, ${walFsyncs} fsyncs${mean}`;
}

function txnPerSlot(w: Window, taken: number): string {
  const txns = w.requests.find((r) => r.method === 'KV/Txn')?.requests ?? 0;
  if (taken === 0) return '-';
  return `${num(txns / taken, 1)}  (${txns} Txn for ${taken} slot(s) taken: ${txns - taken} lost a race)`;
}

function requestTable(rest: Window, rollout: Window, nodes: number): string {
  const methods = new Map<string, string>();
  for (const r of [...rest.requests, ...rollout.requests]) methods.set(r.method, r.type);
  const rate = (w: Window, method?: string) => {
    const total = w.requests.filter((r) => method === undefined || r.method === method).reduce((a, r) => a + r.requests, 0);
    return total / nodes / minutes(w);
  };
  const perNode = (w: Window, method?: string) =>
    w.requests.filter((r) => method === undefined || r.method === method).reduce((a, r) => a + r.requests, 0) / nodes;
  const ordered = [...methods].sort((a, b) => perNode(rollout, b[0]) - perNode(rollout, a[0]) || a[0].localeCompare(b[0]));
  const rows = ordered.map(([method, type]) => [
    method, type.replace('_stream', ''), num(rate(rest, method), 2), num(rate(rollout, method), 1), num(perNode(rollout, method), 2),
  ]);
  rows.push(['total', '', num(rate(rest), 2), num(rate(rollout), 1), num(perNode(rollout), 2)]);
  const header = ['method', 'type', `at rest (${sec(rest.to - rest.from)})`, `rollout (${sec(rollout.to - rollout.from)})`, 'per node, whole rollout'];
  return textTable(rows, header);
}
