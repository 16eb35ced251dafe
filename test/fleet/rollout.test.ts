// Rolling updates across real daemons sharing one etcd and one bare repository: the concurrency
// bound, a dead slot holder, and etcd going away in the middle of a rollout.
import { expect, it } from 'vitest';
import { createEtcdClient } from '../../src/fleet/etcdClient.js';
import { prefixEnd, slotsPrefix } from '../../src/fleet/keys.js';
import { cleanUpAfterEach } from '../fixtures/daemon/cleanup.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { pushCommit } from '../fixtures/git/testRepo.js';
import { waitFor } from '../fixtures/git/waitFor.js';
import { maxHeld, maxOverlap, recordSlots, slotIntervals, startFleet, transitions, type FleetNode } from './fleetDaemons.js';

cleanUpAfterEach();

const UPDATE_STATES = new Set(['stopping', 'updating', 'starting']);

describeWithEtcd('rolling updates across real daemons', () => {
  const etcd = useEtcd();

  it('never more than `max concurrent` nodes update at once: sampled, and proven from the recorded history', async () => {
    const client = createEtcdClient({ endpoints: [etcd().endpoint], nodeId: 'test' });
    try {
      const nodes = await startFleet(etcd().endpoint, 4, {
        config: { rollout: { 'max concurrent': '50%' }, rollback: { probation: 1 } },
      });
      const slots = await recordSlots(client);
      const from = slotsPrefix('huddle', 'web');
      // Sampled: slots held, and nodes between stopping the old version and starting the new one.
      let sampledSlots = 0;
      let sampledUpdating = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const res = await client.kv.range({ key: Buffer.from(from), range_end: prefixEnd(from), count_only: true });
          sampledSlots = Math.max(sampledSlots, Number(res.count));
          const states = await Promise.all(nodes.map((n) => n.daemon.app('web')));
          sampledUpdating = Math.max(sampledUpdating, states.filter((s) => s && UPDATE_STATES.has(s.state)).length);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();

      const next = await pushCommit(nodes[0]!.app.remote, { VERSION: '2\n' });
      await waitFor(async () => {
        const all = await Promise.all(nodes.map((n) => n.daemon.app('web')));
        return all.every((a) => a?.state === 'healthy' && a.commit === next && a.lastGoodCommit === next);
      }, { timeoutMs: 60_000, intervalMs: 100, what: 'every node healthy on the new commit past probation' });
      await waitFor(() => nodes.every((n) => slotIntervals(n).every(([, end]) => Number.isFinite(end))), {
        timeoutMs: 10_000, what: 'every slot released',
      });
      sampling = false;
      await sampler;
      await slots.stop();

      // 2 slots of 4 nodes. From etcd's own history of the slot keys, in revision order:
      expect(slots.events.filter((e) => e.type === 'put')).toHaveLength(4);
      expect(maxHeld(slots.events)).toBe(2);
      expect(sampledSlots).toBeLessThanOrEqual(2);
      expect(sampledUpdating).toBeLessThanOrEqual(2);
      // From each node's own transitions: its app left the old version and came back on the new one
      // inside the time it held its slot, so at most 2 apps were ever down for the update at once.
      const windows = nodes.map((n) => updateWindow(n, next));
      for (const [i, node] of nodes.entries()) {
        const [slot] = slotIntervals(node);
        expect(slot, `${node.id} took a slot`).toBeDefined();
        expect(windows[i]![0]).toBeGreaterThanOrEqual(slot![0]);
        expect(windows[i]![1]).toBeLessThanOrEqual(slot![1]);
      }
      // Each window lies inside its node's true holding of a slot (it starts after the slot was taken,
      // ends before it was given back), so the windows overlap no more than the slots did. The
      // logged slot times themselves are not compared across processes: a late log line is not a
      // late release.
      expect(maxOverlap(windows)).toBeLessThanOrEqual(2);
      // Two nodes had to wait their turn, visibly.
      expect(nodes.filter((n) => transitions(n).some((t) => t.to === 'waitingForRollout')).length).toBeGreaterThanOrEqual(2);
    } finally {
      client.close();
    }
  }, 120_000);

  it('a node killed while it holds a slot frees it within the lease TTL, and the rollout goes on', async () => {
    const client = createEtcdClient({ endpoints: [etcd().endpoint], nodeId: 'test' });
    try {
      const nodes = await startFleet(etcd().endpoint, 2, {
        config: { rollout: { 'max concurrent': 1 }, rollback: { probation: 60 } },
        args: ['--etcd-lease-ttl', '2'],
      });
      const next = await pushCommit(nodes[0]!.app.remote, { VERSION: '2\n' });
      const holder = await waitFor(() => nodes.find((n) => slotIntervals(n).length > 0), { timeoutMs: 15_000, what: 'a node to take the slot' });
      const other = nodes.find((n) => n !== holder)!;
      await other.daemon.waitForApp('web', (a) => a.state === 'waitingForRollout', 'waiting for the slot');
      await holder.daemon.waitHealthy('web', next);

      const from = slotsPrefix('huddle', 'web');
      const killedAt = Date.now();
      holder.daemon.signal('SIGKILL');
      await waitFor(async () => {
        const res = await client.kv.range({ key: Buffer.from(from), range_end: prefixEnd(from), count_only: true });
        return Number(res.count) === 0 || slotIntervals(other).length > 0;
      }, { timeoutMs: 10_000, intervalMs: 50, what: "the dead node's slot to go" });
      const freedAfterMs = Date.now() - killedAt;
      // TTL 2 s; etcd checks expiry every 500 ms.
      expect(freedAfterMs).toBeLessThan(2_000 + 1_500);
      await other.daemon.waitHealthy('web', next, 20_000);
      expect(slotIntervals(other)).toHaveLength(1);
    } finally {
      client.close();
    }
  }, 90_000);

  it('etcd stopped mid-rollout: apps keep running, updates hold, and resume when etcd returns', async () => {
    const nodes = await startFleet(etcd().endpoint, 2, {
      config: { rollout: { 'max concurrent': 1 }, rollback: { probation: 2 } },
    });
    const old = nodes[0]!.app.remote.head;
    const next = await pushCommit(nodes[0]!.app.remote, { VERSION: '2\n' });
    const holder = await waitFor(() => nodes.find((n) => slotIntervals(n).length > 0), { timeoutMs: 15_000, what: 'a node to take the slot' });
    const other = nodes.find((n) => n !== holder)!;
    await other.daemon.waitForApp('web', (a) => a.state === 'waitingForRollout', 'waiting for the slot');

    await etcd().stop();
    try {
      // The holder finishes its own update; the waiting node keeps serving the old version.
      await holder.daemon.waitHealthy('web', next, 20_000);
      const outageUntil = Date.now() + 4_000;
      while (Date.now() < outageUntil) {
        const res = await fetch(other.app.url);
        expect(await res.text()).toBe('version 1\n');
        const status = await other.daemon.app('web');
        expect(status?.commit).toBe(old);
        expect(['waitingForRollout', 'healthy', 'fetching']).toContain(status?.state);
        expect((await fetch(holder.app.url)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(nodes.every((n) => n.daemon.exitStatus === null)).toBe(true);
    } finally {
      await etcd().restart();
    }
    await other.daemon.waitHealthy('web', next, 40_000);
    expect(await (await fetch(other.app.url)).text()).toBe('version 2\n');
  }, 120_000);

  it('with etcd away, `on etcd loss = proceed` updates alone and `hold` waits, saying why', async () => {
    const nodes = await startFleet(etcd().endpoint, 2, {
      configOf: (i) => ({ rollout: { 'max concurrent': 1, 'on etcd loss': i === 0 ? 'proceed' : 'hold' } }),
    });
    const [proceeds, holds] = nodes as [FleetNode, FleetNode];
    await etcd().stop();
    let down = true;
    try {
      const next = await pushCommit(proceeds.app.remote, { VERSION: '2\n' });
      await proceeds.daemon.waitHealthy('web', next, 30_000);
      await proceeds.daemon.waitForLog((l) => typeof l.message === 'string' && l.message.includes('updating alone'), 'proceeding alone');
      const held = await holds.daemon.waitForApp('web', (a) => a.error?.includes('holding the update until it answers') === true, 'holding', 30_000);
      expect(held.commit).not.toBe(next);
      expect(await (await fetch(holds.app.url)).text()).toBe('version 1\n');
      await etcd().restart();
      down = false;
      await holds.daemon.waitHealthy('web', next, 40_000);
    } finally {
      if (down) await etcd().restart();
    }
  }, 120_000);
});

/** From entering `stopping` for the update to being healthy on `commit`. */
function updateWindow(node: FleetNode, commit: string): [number, number] {
  const list = transitions(node);
  const stop = list.find((t) => t.to === 'stopping');
  const healthy = list.find((t) => t.to === 'healthy' && t.commit !== undefined && commit.startsWith(t.commit));
  if (!stop || !healthy) throw new Error(`${node.id}: no update in its transitions: ${JSON.stringify(list)}`);
  return [stop.at, healthy.at];
}
