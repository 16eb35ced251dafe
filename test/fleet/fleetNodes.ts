import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '../../src/fleet/etcdClient.js';
import { NodeLease } from '../../src/fleet/nodeLease.js';
import { Presence } from '../../src/fleet/presence.js';
import { FleetSemaphore } from '../../src/fleet/semaphore.js';

/** One in-process "node": its own etcd client, lease, presence and semaphore. */
export interface TestNode {
  id: string;
  client: Etcd3;
  lease: NodeLease;
  presence: Presence;
  semaphore: FleetSemaphore;
  /** Close without revoking: as if the process died (keys go when the TTL runs out). */
  die(): void;
  close(): Promise<void>;
}

const open: TestNode[] = [];

export function makeNode(endpoint: string, id: string, ttlSeconds = 2): TestNode {
  const client = createEtcdClient({ endpoints: [endpoint], nodeId: id, callTimeoutMs: 1000, dialTimeoutMs: 1000 });
  const lease = new NodeLease(client, { ttlSeconds, retryMs: 200 });
  const presence = new Presence(client, lease, id, { retryMs: 200 });
  const semaphore = new FleetSemaphore(client, lease, id, { retryMs: 200 });
  let closed = false;
  const node: TestNode = {
    id,
    client,
    lease,
    presence,
    semaphore,
    die() {
      if (closed) return;
      closed = true;
      presence.close();
      void lease.close({ revoke: false });
      client.close();
    },
    async close() {
      if (closed) return;
      closed = true;
      presence.close();
      await lease.close({ revoke: true }).catch(() => undefined);
      client.close();
    },
  };
  open.push(node);
  return node;
}

export async function closeAllNodes(): Promise<void> {
  const nodes = open.splice(0);
  await Promise.all(nodes.map((n) => n.close()));
}
