import { EventEmitter } from 'node:events';
import { EtcdLeaseInvalidError, type Etcd3 } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { NodeLease } from '../../src/fleet/nodeLease.js';

/** etcd3's Lease as NodeLease uses it: grant, release, revoke, and its 'lost' event. */
class FakeLease extends EventEmitter {
  released = false;
  constructor(readonly id: string) {
    super();
  }
  grant(): Promise<string> {
    return Promise.resolve(this.id);
  }
  release(): void {
    this.released = true;
  }
  revoke(): Promise<void> {
    return Promise.resolve();
  }
}

function fakeClient() {
  const leases: FakeLease[] = [];
  // Only `lease(ttl)` is used by NodeLease; the rest of Etcd3 is never touched.
  const client = { lease: () => leases[leases.push(new FakeLease(`L${leases.length + 1}`)) - 1] } as unknown as Etcd3;
  return { client, leases };
}

describe('NodeLease', () => {
  it('replaces a lease etcd says does not exist, which etcd3 did not report lost (a stalled keepalive)', async () => {
    const { client, leases } = fakeClient();
    const lease = new NodeLease(client, { ttlSeconds: 2 });
    expect(await lease.current()).toBe('L1');
    const lost: number[] = [];
    lease.on('lost', (generation) => lost.push(generation));
    expect(NodeLease.isExpiry(new EtcdLeaseInvalidError('1'))).toBe(true);
    expect(NodeLease.isExpiry(new Error('etcd unreachable'))).toBe(false);

    lease.expired(1);
    expect(lost).toEqual([1]);
    expect(leases[0]!.released).toBe(true);
    expect(await lease.current()).toBe('L2');
    expect(lease.generation).toBe(2);

    // A failure of the previous lease, told late, leaves the new one alone.
    lease.expired(1);
    expect(lost).toEqual([1]);
    expect(await lease.current()).toBe('L2');
    await lease.close();
  });
});
