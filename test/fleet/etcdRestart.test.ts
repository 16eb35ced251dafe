import { afterEach, expect, it } from 'vitest';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { waitFor } from '../fixtures/git/waitFor.js';
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
});
