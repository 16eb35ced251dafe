import type { Watcher } from 'etcd3';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_KEY_PREFIX, slotsPrefix } from '../../src/fleet/keys.js';
import { FleetSemaphore, type SlotHandle } from '../../src/fleet/semaphore.js';
import { SlotMonitor } from '../../bench/fleet/slotMonitor.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { waitFor } from '../fixtures/git/waitFor.js';
import { closeAllNodes, makeNode } from './fleetNodes.js';
import { maxOverlap } from './fleetDaemons.js';

describeWithEtcd('fleet semaphore on a real etcd', () => {
  const etcd = useEtcd();
  afterEach(closeAllNodes);

  it("12 nodes, limit 3: never more than 3 holders, exactly by etcd's revision history, by recorded intervals and by sampling etcd", async () => {
    const limit = 3;
    const nodes = Array.from({ length: 12 }, (_, i) => makeNode(etcd().endpoint, `n${i}`));
    // Every put and delete of the slot keys, in revision order: the exact count at every moment.
    const history = new SlotMonitor(nodes[0]!.client, slotsPrefix(DEFAULT_KEY_PREFIX, 'roll'));
    await history.watch();
    const intervals: Array<[number, number]> = [];
    const latencies: number[] = [];
    let inside = 0;
    let maxInside = 0;
    const samples: number[] = [];
    let running = true;
    const sampler = (async () => {
      const probe = nodes[0]!.semaphore;
      while (running) {
        samples.push((await probe.held('roll')).count);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const rounds = 4;
    await Promise.all(
      nodes.map(async (node) => {
        for (let r = 0; r < rounds; r++) {
          const asked = performance.now();
          const slot = await node.semaphore.acquire('roll', limit);
          const start = performance.now();
          latencies.push(start - asked);
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((res) => setTimeout(res, 20 + Math.random() * 60));
          inside--;
          // From the slot taken to the release asked: inside the hold as etcd has it (the next node
          // may see the release before this one hears it was applied), so any overlap is real.
          intervals.push([start, performance.now()]);
          await slot.release();
        }
      }),
    );
    running = false;
    await sampler;
    expect(intervals).toHaveLength(12 * rounds);
    await waitFor(() => history.holds.length === 12 * rounds && history.count === 0, { timeoutMs: 5000, what: 'the watch to see every release' });
    await history.close();
    expect(history.maxCount).toBeLessThanOrEqual(limit);
    expect(maxOverlap(intervals)).toBeLessThanOrEqual(limit);
    expect(maxInside).toBe(limit); // it did get busy, so the bound was tested
    expect(samples.length).toBeGreaterThan(5);
    expect(Math.max(...samples)).toBeLessThanOrEqual(limit);
    expect((await nodes[0]!.semaphore.held('roll')).count).toBe(0);
    latencies.sort((a, b) => a - b);
    const uncontended = Math.min(...latencies);
    console.info(
      `semaphore: ${intervals.length} holds, max in etcd's history ${history.maxCount}, max overlap ${maxOverlap(intervals)}, etcd samples ${samples.length} max ${Math.max(...samples)}, ` +
        `acquire latency min ${uncontended.toFixed(1)} ms p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms`,
    );
  });

  it('a waiting acquire whose watch is never created still takes the slot once it frees', async () => {
    const a = makeNode(etcd().endpoint, 'a');
    const b = makeNode(etcd().endpoint, 'b');
    const held = await a.semaphore.acquire('stuck', 1);
    // As when etcd stops while the watch is being created: its creation never completes.
    const watch = b.client.watch.bind(b.client);
    b.client.watch = () => {
      const builder = watch();
      builder.create = () => new Promise<Watcher>(() => undefined);
      return builder;
    };
    let slot: SlotHandle | undefined;
    const waiting = b.semaphore.acquire('stuck', 1).then((s) => (slot = s));
    await new Promise((r) => setTimeout(r, 300));
    expect(slot).toBeUndefined();
    await held.release();
    // retryMs is 200 ms: the recount runs every 2 s.
    await waitFor(() => slot !== undefined, { timeoutMs: 5000, what: 'b to take the slot through the recount' });
    await waiting;
    await slot!.release();
  });

  it('a joining put whose answer is lost (applied all the same) leaves no key of its own ahead of the node', async () => {
    const a = makeNode(etcd().endpoint, 'a');
    const b = makeNode(etcd().endpoint, 'b');
    const held = await a.semaphore.acquire('lost-answer', 1);
    // As when the connection drops after etcd applied the put: the key is there, the caller sees an error.
    const put = b.client.kv.put.bind(b.client.kv);
    let dropped = false;
    b.client.kv.put = async (...args: Parameters<typeof put>) => {
      const result = await put(...args);
      if (dropped) return result;
      dropped = true;
      throw new Error('14 UNAVAILABLE: Connection dropped');
    };
    let slot: SlotHandle | undefined;
    const waiting = b.semaphore.acquire('lost-answer', 1).then((s) => (slot = s));
    await waitFor(() => dropped, { timeoutMs: 5000, what: "b's first put" });
    await held.release();
    await waitFor(() => slot !== undefined, { timeoutMs: 5000, what: 'b to take the slot' });
    await waiting;
    await slot!.release();
    expect((await b.semaphore.held('lost-answer')).count).toBe(0);
  });

  it('a waiting acquire resumes as soon as a slot is released (watch, not polling)', async () => {
    const a = makeNode(etcd().endpoint, 'a');
    const b = makeNode(etcd().endpoint, 'b');
    const held = await a.semaphore.acquire('wait', 1);
    let got = 0;
    const waiting = b.semaphore.acquire('wait', 1).then((slot) => {
      got = performance.now();
      return slot;
    });
    // While full, b sends nothing: it sits on a watch.
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toBe(0);
    const released = performance.now();
    await held.release();
    const slot = await waiting;
    // retryMs is 200 ms, so the recount under the watch runs every 2 s: resuming well under that
    // shows the watch woke b. (Under a loaded CI machine the wake took up to 430 ms.)
    expect(got - released).toBeLessThan(1000);
    await slot.release();
  });

  it('acquire can be aborted while waiting', async () => {
    const a = makeNode(etcd().endpoint, 'a');
    const b = makeNode(etcd().endpoint, 'b');
    await a.semaphore.acquire('abort', 1);
    const controller = new AbortController();
    const waiting = b.semaphore.acquire('abort', 1, controller.signal);
    controller.abort(new Error('stop waiting'));
    await expect(waiting).rejects.toThrow('stop waiting');
    expect((await a.semaphore.held('abort')).count).toBe(1);
  });

  it('a waiting node whose lease is lost stops waiting on the lost place and joins again', async () => {
    const a = makeNode(etcd().endpoint, 'a');
    const b = makeNode(etcd().endpoint, 'b');
    const traced: string[] = [];
    const semaphore = new FleetSemaphore(b.client, b.lease, 'b', { retryMs: 200, trace: (_app, message) => traced.push(message) });
    const held = await a.semaphore.acquire('relost', 1);
    const waiting = semaphore.acquire('relost', 1);
    await waitFor(() => traced.some((m) => m.startsWith('waiting for a slot')), { timeoutMs: 5000, what: 'b to wait' });
    await a.client.leaseClient.leaseRevoke({ ID: await b.lease.current() });
    await waitFor(() => traced.includes('slot not taken, trying again: lease lost while waiting'), { timeoutMs: 5000, what: 'b to give up the lost place' });
    await held.release();
    const slot = await waiting;
    expect(slot.lost).toBe(false);
    await slot.release();
  });

  it('waiters go in arrival order, and one that gave up holds nobody back', async () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => makeNode(etcd().endpoint, id)) as [
      ReturnType<typeof makeNode>, ReturnType<typeof makeNode>, ReturnType<typeof makeNode>, ReturnType<typeof makeNode>,
    ];
    const first = await a.semaphore.acquire('fifo', 1);
    const order: string[] = [];
    const gaveUp = new AbortController();
    const quitter = b.semaphore.acquire('fifo', 1, gaveUp.signal);
    await new Promise((r) => setTimeout(r, 50));
    const second = c.semaphore.acquire('fifo', 1).then((slot) => (order.push('c'), slot));
    await new Promise((r) => setTimeout(r, 50));
    const third = d.semaphore.acquire('fifo', 1).then((slot) => (order.push('d'), slot));
    await new Promise((r) => setTimeout(r, 50));
    gaveUp.abort(new Error('no longer needed'));
    await expect(quitter).rejects.toThrow('no longer needed');
    await first.release();
    await (await second).release();
    await (await third).release();
    expect(order).toEqual(['c', 'd']);
    expect((await a.semaphore.held('fifo')).count).toBe(0);
  });

  it("a dead holder's slot frees itself within the TTL", async () => {
    const a = makeNode(etcd().endpoint, 'dies');
    const b = makeNode(etcd().endpoint, 'waits');
    await a.semaphore.acquire('dead', 1);
    const waiting = b.semaphore.acquire('dead', 1);
    const died = Date.now();
    a.die();
    const slot = await waiting;
    expect(Date.now() - died).toBeLessThan(3_500);
    expect((await b.semaphore.held('dead')).count).toBe(1);
    await slot.release();
    await waitFor(async () => (await b.semaphore.held('dead')).count === 0, { timeoutMs: 2000, what: 'release' });
  });
});
