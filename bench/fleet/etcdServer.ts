// The fleet bench's etcd: the shared one (bench/lib/etcdServer.ts), disposed with the bench.
import { startEtcd as startShared, type EtcdServer } from '../lib/etcdServer.js';
import { onCleanup } from '../lib/cleanup.js';

export type { EtcdServer };

/** Starts etcd and waits until it answers /health; registers its kill and the data dir removal. */
export async function startEtcd(): Promise<EtcdServer> {
  const etcd = await startShared();
  onCleanup(() => etcd.dispose());
  return etcd;
}
