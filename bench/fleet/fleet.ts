// Builds the simulated fleet: a real etcd, the nodes spread over a few shared etcd clients, every
// node running the fake app on the first commit, and the observers the measurements read.
import type { Etcd3 } from 'etcd3';
import type { Rollout } from '../../src/config/index.js';
import { createEtcdClient } from '../../src/fleet/etcdClient.js';
import { listPresence } from '../../src/fleet/presence.js';
import { onCleanup } from '../lib/cleanup.js';
import { startEtcd, type EtcdServer } from './etcdServer.js';
import { APP, commitId, FakeRemote, timingsFor, type UpdateTimings } from './fakeApp.js';
import { SimNode } from './fleetNode.js';
import { FleetTracker } from './fleetTracker.js';
import { LogSink } from './logSink.js';
import type { FleetBenchOptions } from './options.js';
import { waitFor } from '../lib/waitFor.js';

export interface Fleet {
  etcd: EtcdServer;
  nodes: SimNode[];
  /** The bench's own client (slot monitor, presence checks), apart from the nodes'. */
  observer: Etcd3;
  remote: FakeRemote;
  tracker: FleetTracker;
  logs: LogSink;
  timings: UpdateTimings;
  policy: Rollout;
  /** Supervisor failures (bugs), by node. */
  errors: string[];
  /** From creating the nodes until every one is healthy on the first commit and published. */
  startupMs: number;
}

export const FIRST_COMMIT = commitId('c1');
export const SECOND_COMMIT = commitId('c2');

export async function startFleet(options: FleetBenchOptions, log: (line: string) => void): Promise<Fleet> {
  const etcd = await startEtcd();
  log(`etcd ${etcd.endpoint} (pid ${etcd.pid})`);

  const clients: Etcd3[] = [];
  onCleanup(() => {
    for (const client of clients) client.close();
  });
  const clientCount = Math.min(options.clients, options.nodes);
  for (let i = 0; i < clientCount; i++) clients.push(createEtcdClient({ endpoints: [etcd.endpoint], nodeId: `bench-client-${i}` }));
  const observer = createEtcdClient({ endpoints: [etcd.endpoint], nodeId: 'bench-observer' });
  clients.push(observer);

  const timings = timingsFor(options.updateMs);
  const remote = new FakeRemote(FIRST_COMMIT);
  const tracker = new FleetTracker();
  const logs = new LogSink();
  const errors: string[] = [];
  const policy: Rollout = { 'max concurrent': `${options.percent}%`, 'halt after': 3, 'on etcd loss': 'hold' };
  const width = String(options.nodes).length;
  const nodes: SimNode[] = [];
  onCleanup(async () => {
    await Promise.all(nodes.map((node) => node.stop().catch(() => undefined)));
  });
  const started = Date.now();
  for (let i = 0; i < options.nodes; i++) {
    const id = `node-${String(i + 1).padStart(width, '0')}`;
    nodes.push(new SimNode(id, clients[i % clientCount]!, {
      remote, timings, policy,
      pollMs: options.pollMs,
      leaseTtl: options.leaseTtl,
      runningCommit: FIRST_COMMIT,
      logger: logs.forNode(id),
      onView: (node, view) => tracker.update(node, view),
      onError: (node, error) => errors.push(`${node}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`),
    }));
  }
  for (const node of nodes) node.start();
  log(`${options.nodes} nodes on ${clientCount} etcd client(s), starting on ${FIRST_COMMIT.slice(0, 7)}`);

  let published = 0;
  await waitFor(
    async () => {
      if (tracker.healthyOn(FIRST_COMMIT) < options.nodes) return false;
      const records = await listPresence(observer, APP);
      published = records.filter((r) => r.state === 'healthy' && r.commit === FIRST_COMMIT).length;
      return published === options.nodes;
    },
    {
      timeoutMs: 30_000 + 100 * options.nodes,
      intervalMs: 100,
      what: `${options.nodes} nodes healthy on the first commit and published in etcd`,
      describe: () => `apps: ${tracker.histogram()}; presence healthy: ${published}; errors: ${errors.length}`,
    },
  );
  const startupMs = Date.now() - started;
  log(`fleet up in ${(startupMs / 1000).toFixed(1)} s`);
  return { etcd, nodes, observer, remote, tracker, logs, timings, policy, errors, startupMs };
}
