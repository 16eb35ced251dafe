import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import { fromPromise, type InspectionEvent } from 'xstate';
import type { AppCommand, AppContext, RolloutSlotInput, RolloutSlotOutput } from '../../machines/app.types.js';
import { appStatus } from '../../machines/index.js';
import type { Rollout } from '../config/index.js';
import { ControlWatch, type ControlChange } from '../fleet/controlWatch.js';
import { createEtcdClient, describeEtcdOptions, type EtcdOptions } from '../fleet/etcdClient.js';
import { FailureReporter } from '../fleet/failureReporter.js';
import { FleetControl } from '../fleet/fleetControl.js';
import { NodeLease } from '../fleet/nodeLease.js';
import { Presence } from '../fleet/presence.js';
import { RolloutGate } from '../fleet/rolloutGate.js';
import { FleetSemaphore } from '../fleet/semaphore.js';
import { appLogger, type Logger } from '../log.js';

export interface FleetOptions {
  /** etcd endpoints (`--etcd` or HUDDLE_ETCD); without them huddle runs alone, as always. */
  etcd?: string[];
  /** This node's name in the fleet; default: the host name. */
  nodeId?: string;
  /** TLS material and credentials for a real cluster. */
  etcdTls?: EtcdOptions['tls'];
  etcdAuth?: EtcdOptions['auth'];
  /** Seconds a dead node's presence and slots outlive it; default 10. */
  etcdLeaseTtl?: number;
}

/** What the fleet link needs from the daemon once the supervisor runs. */
export interface FleetHost {
  /** Send a command to an app (ignored for an app the supervisor does not run). */
  send: (app: string, command: AppCommand) => void;
  /** The app's `[rollout]` section, if it has one. */
  policyOf: (app: string) => Rollout | undefined;
}

/**
 * The daemon's side of the fleet: each app's state and commit published under this node's lease;
 * the rollout gate the app charts ask before replacing a running version; the fleet's decisions
 * (deploy, pin, halts) watched and turned into app commands; failures reported so that a bad
 * commit is halted fleet-wide. etcd being away never blocks a running app.
 */
export class FleetLink {
  readonly nodeId: string;
  private readonly presence: Presence;
  private readonly lease: NodeLease;
  private readonly watch: ControlWatch;
  private readonly gate: RolloutGate;
  private readonly failures: FailureReporter;
  private readonly closeClient: () => void;
  private readonly seen = new Map<string, string>();
  private readonly states = new Map<string, string>();
  private host: FleetHost | undefined;

  private constructor(
    client: Etcd3,
    options: { nodeId: string; leaseTtl?: number; closeClient: boolean },
    private readonly logger: Logger,
  ) {
    this.nodeId = options.nodeId;
    this.lease = new NodeLease(client, options.leaseTtl === undefined ? {} : { ttlSeconds: options.leaseTtl });
    this.presence = new Presence(client, this.lease, options.nodeId);
    const fleet = new FleetControl(client);
    this.watch = new ControlWatch(client, fleet);
    const policyOf = (app: string) => this.host?.policyOf(app);
    this.gate = new RolloutGate({
      fleet, watch: this.watch, presence: this.presence, logger,
      semaphore: new FleetSemaphore(client, this.lease, options.nodeId, {
        trace: (app, message) => logger.debug(`rollout: ${message}`, { app, event: 'rollout' }),
      }),
      policyOf,
    });
    this.failures = new FailureReporter({
      fleet, watch: this.watch, nodeId: options.nodeId, logger,
      haltAfterOf: (app) => policyOf(app)?.['halt after'] ?? null,
    });
    this.watch.on('change', (change) => this.onControlChange(change));
    this.closeClient = () => {
      if (options.closeClient) client.close();
    };
  }

  static start(options: FleetOptions, logger: Logger): FleetLink | undefined {
    if (!options.etcd?.length) return undefined;
    const etcd: EtcdOptions = {
      endpoints: options.etcd,
      nodeId: options.nodeId ?? hostname(),
      ...(options.etcdTls ? { tls: options.etcdTls } : {}),
      ...(options.etcdAuth ? { auth: options.etcdAuth } : {}),
    };
    logger.info(`fleet: ${describeEtcdOptions(etcd)}`, { event: 'fleet' });
    return new FleetLink(
      createEtcdClient(etcd),
      { nodeId: etcd.nodeId, ...(options.etcdLeaseTtl === undefined ? {} : { leaseTtl: options.etcdLeaseTtl }), closeClient: true },
      logger,
    );
  }

  /**
   * A fleet link on a client the caller owns (and closes): many simulated nodes in one process
   * share one connection, each with its own lease.
   */
  static onClient(client: Etcd3, options: { nodeId: string; leaseTtl?: number }, logger: Logger): FleetLink {
    return new FleetLink(client, { ...options, closeClient: false }, logger);
  }

  /** Starts following the fleet's decisions about `apps`, acting on them through `host`. */
  attach(host: FleetHost, apps: Iterable<string>): void {
    this.host = host;
    for (const app of apps) this.track(app);
  }

  /** The app chart's `rolloutSlot` actor. */
  rolloutSlotActor() {
    return fromPromise<RolloutSlotOutput, RolloutSlotInput>(({ input, signal }) => this.gate.ask(input, signal));
  }

  /** The ref the fleet pins `app` to, if any: polls resolve it instead of the branch head. */
  pinnedRef(app: string): string | undefined {
    return this.watch.control(app)?.pin?.ref;
  }

  track(app: string): void {
    this.watch.track(app);
  }

  /** The app is no longer configured on this node. */
  forget(app: string): void {
    this.seen.delete(app);
    this.states.delete(app);
    this.watch.untrack(app);
    this.gate.forget(app);
    this.failures.forget(app);
    void this.presence.remove(app);
  }

  /** Follows every app's snapshots (the daemon's inspection stream). */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const context = (event.snapshot as { context?: Partial<AppContext> }).context;
    if (!context?.spec || !context.persisted) return;
    const full = context as AppContext;
    const view = appStatus(event.snapshot as unknown as Parameters<typeof appStatus>[0]);
    this.states.set(view.name, view.state);
    this.gate.observe(view.name, view.state, full);
    this.failures.observe(view.name, full);
    // A poll of a running app (healthy → fetching → healthy) changes nothing the fleet needs to
    // know: publishing it would cost two etcd writes per poll per app at rest.
    if (view.state === 'fetching' && view.pid !== null) return;
    const key = `${view.state} ${view.commit ?? ''}`;
    if (this.seen.get(view.name) === key) return;
    this.seen.set(view.name, key);
    void this.presence.update(view.name, { state: view.state, commit: view.commit, since: new Date().toISOString() });
  };

  private onControlChange({ app, what, control, live }: ControlChange): void {
    const host = this.host;
    if (!host) return;
    const log = appLogger(this.logger, { app });
    // An operator who stopped the app on this node keeps it stopped, whatever the fleet deploys.
    const stoppedHere = this.states.get(app) === 'stopped';
    switch (what.kind) {
      case 'halted': {
        const halted = control.halted.get(what.commit);
        if (!halted) return;
        log.warn(`fleet: commit ${what.commit.slice(0, 12)} is halted: ${halted.reason}`, { event: 'fleet' });
        host.send(app, { type: 'FLEET.HALT', commit: what.commit, reason: halted.reason });
        return;
      }
      case 'target':
        // Only a deploy published while this node listens is acted on: an old one found at a
        // restart would take the node back behind the branch.
        if (!live || !control.target || stoppedHere) return;
        log.info(`fleet: deploy ${control.target.ref} requested`, { event: 'fleet' });
        host.send(app, { type: 'DEPLOY', commit: control.target.ref });
        return;
      case 'pin':
        if (stoppedHere) return;
        if (control.pin) {
          log.info(`fleet: pinned to ${control.pin.ref}`, { event: 'fleet' });
          if (live) host.send(app, { type: 'DEPLOY', commit: control.pin.ref });
        } else if (live) {
          log.info('fleet: unpinned, following the branch again', { event: 'fleet' });
          host.send(app, { type: 'POLL' });
        }
        return;
      case 'halt':
        log.info(control.halt ? `fleet: rollouts halted (${control.halt.reason})` : 'fleet: rollouts resumed', { event: 'fleet' });
        return;
    }
  }

  async stop(): Promise<void> {
    this.watch.close();
    this.failures.close();
    this.presence.close();
    await this.lease.close({ revoke: true }).catch(() => undefined);
    this.closeClient();
  }
}
