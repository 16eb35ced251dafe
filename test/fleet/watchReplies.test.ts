// etcd3 throws from its watch stream when etcd answers about a watch the client already dropped:
// etcd cancels a watch it cannot resume, and then answers the client's own cancel of it.
import { afterEach, expect, it } from 'vitest';
import type { Etcd3, Watcher } from 'etcd3';
import { createEtcdClient } from '../../src/fleet/etcdClient.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { waitFor } from '../fixtures/git/waitFor.js';

describeWithEtcd('replies about a watch etcd already cancelled', () => {
  const etcd = useEtcd();
  const clients: Etcd3[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  const client = (nodeId: string): Etcd3 => {
    const made = createEtcdClient({ endpoints: [etcd().endpoint], nodeId, callTimeoutMs: 1000, dialTimeoutMs: 1000 });
    clients.push(made);
    return made;
  };

  it('cancelling such a watch ends at once, throws nothing, and the other watches on the stream go on', async () => {
    const node = client('node-a');
    const admin = client('admin');
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const doomed: Watcher = await node.watch().prefix('watched/').create();
      let cancelledByEtcd = false;
      doomed.on('error', () => (cancelledByEtcd = true));
      await admin.put('watched/a').value('1').exec();
      let revision = '0';
      for (let i = 0; i < 5; i++) revision = (await admin.put(`elsewhere/${i}`).value('x').exec()).header.revision;
      await admin.kv.compact({ revision, physical: true });
      // Another watch on the same stream, from after the compaction: it resumes, and the stream
      // stays up (with none left, etcd3 would close the stream, and the cancel never be sent).
      const bystander = await node.watch().prefix('other/').create();
      const seen: string[] = [];
      bystander.on('put', (kv) => seen.push(kv.value.toString()));
      await etcd().restart();
      await waitFor(() => cancelledByEtcd, { timeoutMs: 10_000, what: 'etcd to cancel the resumed watch' });

      const started = Date.now();
      await doomed.cancel();
      expect(Date.now() - started).toBeLessThan(2000);

      // The stream still delivers.
      await admin.put('other/a').value('after').exec();
      await waitFor(() => seen.includes('after'), { timeoutMs: 5000, what: 'the other watch to see the put' });
      await bystander.cancel();
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 40_000);
});
