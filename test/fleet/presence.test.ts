import { afterEach, expect, it } from 'vitest';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { waitFor } from '../fixtures/git/waitFor.js';
import { closeAllNodes, makeNode } from './fleetNodes.js';

describeWithEtcd('fleet presence on a real etcd', () => {
  const etcd = useEtcd();
  afterEach(closeAllNodes);

  const since = new Date(0).toISOString();

  it('publishes per-app entries that every node can list', async () => {
    const a = makeNode(etcd().endpoint, 'node-a');
    const b = makeNode(etcd().endpoint, 'node/b');
    expect(await a.presence.update('web', { state: 'healthy', commit: 'c1', since })).toBe(true);
    expect(await b.presence.update('web', { state: 'updating', commit: 'c2', since })).toBe(true);
    expect(await b.presence.update('api', { state: 'healthy', commit: 'c9', since })).toBe(true);
    expect(await a.presence.list('web')).toEqual([
      { node: 'node-a', app: 'web', state: 'healthy', commit: 'c1', since },
      { node: 'node/b', app: 'web', state: 'updating', commit: 'c2', since },
    ]);
    expect((await a.presence.list()).map((r) => `${r.app}:${r.node}`)).toEqual(['api:node/b', 'web:node-a', 'web:node/b']);
  });

  it('writes only on change', async () => {
    const a = makeNode(etcd().endpoint, 'node-a');
    await a.presence.update('once', { state: 'healthy', commit: 'c1', since });
    const first = await a.client.get('huddle/apps/once/nodes/node-a').exec();
    await a.presence.update('once', { state: 'healthy', commit: 'c1', since });
    const second = await a.client.get('huddle/apps/once/nodes/node-a').exec();
    expect(second.kvs[0]?.mod_revision).toBe(first.kvs[0]?.mod_revision);
    await a.presence.update('once', { state: 'updating', commit: 'c1', since });
    const third = await a.client.get('huddle/apps/once/nodes/node-a').exec();
    expect(Number(third.kvs[0]?.mod_revision)).toBeGreaterThan(Number(first.kvs[0]?.mod_revision));
  });

  it('a node that dies without revoking disappears within the TTL', async () => {
    const a = makeNode(etcd().endpoint, 'survivor');
    const b = makeNode(etcd().endpoint, 'dies');
    await a.presence.update('ttl', { state: 'healthy', commit: 'c1', since });
    await b.presence.update('ttl', { state: 'healthy', commit: 'c1', since });
    expect(await a.presence.list('ttl')).toHaveLength(2);
    const died = Date.now();
    b.die();
    await waitFor(async () => (await a.presence.list('ttl')).length === 1, { timeoutMs: 4_000, what: 'the dead node to vanish' });
    // TTL 2 s; etcd checks expiry every 500 ms.
    expect(Date.now() - died).toBeLessThan(3_500);
    expect((await a.presence.list('ttl'))[0]?.node).toBe('survivor');
  });

  it('a node that closes cleanly disappears at once', async () => {
    const a = makeNode(etcd().endpoint, 'watcher');
    const b = makeNode(etcd().endpoint, 'leaves');
    await b.presence.update('bye', { state: 'healthy', commit: 'c1', since });
    await b.close();
    expect(await a.presence.list('bye')).toEqual([]);
  });
});
