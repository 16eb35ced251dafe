import { afterEach, expect, it } from 'vitest';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { waitFor } from '../fixtures/git/waitFor.js';
import { FleetSemaphore } from '../../src/fleet/semaphore.js';
import { closeAllNodes, makeNode } from './fleetNodes.js';

describeWithEtcd('fleet coordination across an etcd restart', () => {
  const etcd = useEtcd();
  afterEach(async () => {
    await closeAllNodes();
  });

  const since = new Date(0).toISOString();

  it('presence and acquire hold while etcd is down and resume when it returns', async () => {
    const a = makeNode(etcd().endpoint, 'a');
    const b = makeNode(etcd().endpoint, 'b');
    await a.presence.update('web', { state: 'healthy', commit: 'c1', since });
    const held = await a.semaphore.acquire('web', 1);

    let lost = false;
    a.lease.once('lost', () => (lost = true));
    await etcd().kill();
    // While etcd is away: updates are kept, acquire waits, nothing throws or hangs the caller.
    const updated = await a.presence.update('web', { state: 'updating', commit: 'c2', since });
    expect(updated).toBe(false);
    const release = held.release();
    const waiting = b.semaphore.acquire('web', 1);
    let acquired = false;
    void waiting.then(() => (acquired = true));

    // Down until the client gives the lease up (2×TTL without keepalive), so it must re-grant.
    await waitFor(() => lost, { timeoutMs: 8_000, what: "a's lease to be lost" });
    expect(acquired).toBe(false);
    await etcd().restart();

    const slot = await waiting;
    await release;
    await waitFor(
      async () => {
        const list = await b.presence.list('web');
        return list.length === 1 && list[0]!.state === 'updating' && list[0]!.commit === 'c2';
      },
      { timeoutMs: 10_000, what: "a's presence to be re-published after the restart" },
    );
    expect((await b.semaphore.held('web')).count).toBe(1);
    await slot.release();
  });

  it('a waiting acquire whose watch is lost at a restart (its revision compacted meanwhile) watches again and takes the slot once it frees', async () => {
    const a = makeNode(etcd().endpoint, 'a', 10);
    const b = makeNode(etcd().endpoint, 'b', 10);
    // A recount only every 20 s: the slot must come through a watch.
    const traced: string[] = [];
    const semaphore = new FleetSemaphore(b.client, b.lease, 'b', { retryMs: 2000, trace: (_app, message) => traced.push(message) });
    const held = await a.semaphore.acquire('web', 1);
    let acquired = false;
    const giveUp = new AbortController();
    const waiting = semaphore.acquire('web', 1, giveUp.signal).then((slot) => {
      acquired = true;
      return slot;
    });
    await waitFor(() => traced.some((m) => m.startsWith('waiting for a slot')), { timeoutMs: 5000, what: 'b to wait' });
    // Let b's watch exist before its revision is compacted away.
    await new Promise((resolve) => setTimeout(resolve, 300));
    let revision = '0';
    for (let i = 0; i < 5; i++) revision = (await a.client.put(`elsewhere/${i}`).value('x').exec()).header.revision;
    await a.client.kv.compact({ revision, physical: true });
    await etcd().restart();
    try {
      await waitFor(() => traced.filter((m) => m.startsWith('waiting for a slot')).length >= 2, { timeoutMs: 10_000, what: 'b to watch again' });
      expect(traced.some((m) => m.startsWith('lost the watch on the queue'))).toBe(true);
      expect(acquired).toBe(false);
      await held.release();
      await waitFor(() => acquired, { timeoutMs: 8000, what: 'b to take the freed slot' });
      await (await waiting).release();
      // It kept its place in the queue: it never gave it up to join again.
      expect(traced.filter((m) => m.startsWith('slot not taken'))).toEqual([]);
    } finally {
      giveUp.abort();
      await waiting.catch(() => undefined);
    }
  }, 40_000);

  it('a waiting acquire keeps its place in the queue while etcd is away, and goes before nodes that joined later', async () => {
    const a = makeNode(etcd().endpoint, 'a', 10);
    const b = makeNode(etcd().endpoint, 'b', 10);
    const c = makeNode(etcd().endpoint, 'c', 10);
    const traced: string[] = [];
    const semaphore = new FleetSemaphore(b.client, b.lease, 'b', { retryMs: 200, trace: (_app, message) => traced.push(message) });
    const held = await a.semaphore.acquire('web', 1);
    const order: string[] = [];
    const giveUp = new AbortController();
    const bWaits = semaphore.acquire('web', 1, giveUp.signal).then((slot) => {
      order.push('b');
      return slot;
    });
    try {
      await waitFor(() => traced.some((m) => m.startsWith('waiting for a slot')), { timeoutMs: 5000, what: 'b to wait' });
      await etcd().kill();
      // Away long enough for b to fail a count (its lease, 10 s, outlives the outage).
      await waitFor(() => traced.some((m) => m.startsWith('could not count the queue')), { timeoutMs: 10_000, what: 'b to fail a count' });
      await etcd().restart();
      await waitFor(() => traced.filter((m) => m.startsWith('waiting for a slot')).length >= 2, { timeoutMs: 10_000, what: 'b to wait again' });
      const cWaits = c.semaphore.acquire('web', 1, giveUp.signal).then((slot) => {
        order.push('c');
        return slot;
      });
      await held.release();
      await (await bWaits).release();
      await (await cWaits).release();
      expect(order).toEqual(['b', 'c']);
      expect(traced.filter((m) => m.startsWith('slot not taken'))).toEqual([]);
    } finally {
      giveUp.abort();
      await bWaits.catch(() => undefined);
    }
  }, 40_000);
});
