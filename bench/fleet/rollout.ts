// Fleet-scale rollout bench (issue 7, "Scale"): N in-process nodes (supervisor + fake app + fleet
// link, each with its own lease) on one real etcd roll one commit out under `max concurrent: P%`.
// Prints the rollout time against the ideal, the most nodes updating at once (three ways), and
// what the fleet costs etcd per node per minute at rest and during the rollout.
//   npm run build && node dist/bench/fleet/rollout.js [--nodes 200] [--percent 10] [--update-ms 500]
//     [--rest 20] [--poll-ms 5000] [--lease-ttl 10] [--sample-ms 20] [--clients 1] [--spread-ms 0]
import { rolloutSlots } from '../../src/config/index.js';
import { listPresence } from '../../src/fleet/presence.js';
import { slotsPrefix, DEFAULT_KEY_PREFIX } from '../../src/fleet/keys.js';
import { parseGrpcCounts } from './etcdMetrics.js';
import { cleanUpAll, cleanUpOnSignals, onCleanup } from '../lib/cleanup.js';
import { APP } from './fakeApp.js';
import { SECOND_COMMIT, startFleet } from './fleet.js';
import { parseOptions } from './options.js';
import { measureRest, measureRollout } from './phases.js';
import { printReport } from './report.js';
import { SlotMonitor } from './slotMonitor.js';
import { slotStats } from './slotStats.js';
import { waitFor } from '../lib/waitFor.js';

const log = (line: string) => console.error(line);

async function run(): Promise<boolean> {
  const options = parseOptions();
  const fleet = await startFleet(options, log);
  const monitor = new SlotMonitor(fleet.observer, slotsPrefix(DEFAULT_KEY_PREFIX, APP));
  onCleanup(() => monitor.close());
  await monitor.watch();
  // Watches are attached one at a time per etcd client: the rest window starts once every node's
  // control watch (and the monitor's) is in, or those creations would be counted as traffic at rest.
  await waitFor(async () => {
    const watch = parseGrpcCounts(await fleet.etcd.metrics()).get('Watch/Watch');
    return (watch?.received ?? 0) >= options.nodes + 1;
  }, { timeoutMs: 30_000, intervalMs: 100, what: 'every control watch to be attached' });

  const rest = await measureRest(fleet, options.restSeconds, log);
  const slots = rolloutSlots(fleet.policy['max concurrent'], options.nodes);
  const ideal = Math.ceil(options.nodes / slots) * fleet.timings.perNodeMs;
  const rollout = await measureRollout(fleet, monitor, { sampleMs: options.sampleMs, timeoutMs: Math.max(60_000, 10 * ideal), spreadMs: options.spreadMs }, log);

  // Presence is published after the fact (asynchronously): give it a moment to catch up.
  let publishedOnNew = 0;
  await waitFor(async () => {
    const records = await listPresence(fleet.observer, APP);
    publishedOnNew = records.filter((r) => r.state === 'healthy' && r.commit === SECOND_COMMIT).length;
    return publishedOnNew === options.nodes;
  }, { timeoutMs: 10_000, intervalMs: 100, what: 'presence of the new commit' }).catch(() => undefined);

  const end = rollout.lastReleaseAt ?? rollout.lastDoneAt ?? Date.now();
  const stats = slotStats(monitor, fleet.nodes.map((n) => n.id), slots, rollout.pushAt, end);
  const problems = printReport({ options, fleet, monitor, rest, rollout, slots, stats, publishedOnNew });
  return problems.length === 0;
}

cleanUpOnSignals();
try {
  const ok = await run();
  process.exitCode = ok ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exitCode = 1;
} finally {
  log('cleaning up');
  await cleanUpAll();
}
