import { hostname } from 'node:os';
import type { InspectionEvent } from 'xstate';
import type { AppContext } from '../../machines/app.types.js';
import { appStatus } from '../../machines/index.js';
import { createEtcdClient, describeEtcdOptions, type EtcdOptions } from '../fleet/etcdClient.js';
import { NodeLease } from '../fleet/nodeLease.js';
import { Presence } from '../fleet/presence.js';
import type { Logger } from '../log.js';

export interface FleetOptions {
  /** etcd endpoints (`--etcd` or HUDDLE_ETCD); without them huddle runs alone, as always. */
  etcd?: string[];
  /** This node's name in the fleet; default: the host name. */
  nodeId?: string;
}

/**
 * The daemon's side of the fleet: each app's state and commit published under this node's lease,
 * so `huddle fleet status` (and, next, rollouts) see every live node. etcd being away never
 * blocks an app: presence writes retry in the background.
 */
export class FleetLink {
  private readonly presence: Presence;
  private readonly lease: NodeLease;
  private readonly close_: () => void;
  private readonly seen = new Map<string, string>();

  private constructor(options: EtcdOptions, logger: Logger) {
    const client = createEtcdClient(options);
    this.lease = new NodeLease(client);
    this.presence = new Presence(client, this.lease, options.nodeId);
    this.close_ = () => client.close();
    logger.info(`fleet: node ${options.nodeId} on ${describeEtcdOptions(options)}`, { event: 'fleet' });
  }

  static start(options: FleetOptions, logger: Logger): FleetLink | undefined {
    if (!options.etcd?.length) return undefined;
    return new FleetLink({ endpoints: options.etcd, nodeId: options.nodeId ?? hostname() }, logger);
  }

  /** Publishes an app's state and commit whenever they change (the inspection stream of the daemon). */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const context = (event.snapshot as { context?: Partial<AppContext> }).context;
    if (!context?.spec || !context.persisted) return;
    const view = appStatus(event.snapshot as unknown as Parameters<typeof appStatus>[0]);
    // A poll of a running app (healthy → fetching → healthy) changes nothing the fleet needs to
    // know: publishing it would cost two etcd writes per poll per app at rest.
    if (view.state === 'fetching' && view.pid !== null) return;
    const key = `${view.state} ${view.commit ?? ''}`;
    if (this.seen.get(view.name) === key) return;
    this.seen.set(view.name, key);
    void this.presence.update(view.name, { state: view.state, commit: view.commit, since: new Date().toISOString() });
  };

  /** The app is no longer configured on this node. */
  forget(app: string): void {
    this.seen.delete(app);
    void this.presence.remove(app);
  }

  async stop(): Promise<void> {
    this.presence.close();
    await this.lease.close({ revoke: true }).catch(() => undefined);
    this.close_();
  }
}
