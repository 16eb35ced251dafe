// One simulated node: a supervisor running the fake app, and a fleet link on a shared etcd client
// with its own lease, exactly as the daemon wires them (src/daemon/daemon.ts).
import type { Etcd3 } from 'etcd3';
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { appMachine, supervisorMachine, topLevelState, type AppContext, type SupervisorMachine } from '../../machines/index.js';
import type { Rollout } from '../../src/config/index.js';
import { FleetLink } from '../../src/daemon/fleetLink.js';
import type { Logger } from '../../src/log.js';
import { APP, appSpec, fakeNodeActors, type FakeRemote, type UpdateTimings } from './fakeApp.js';
import type { AppView } from './fleetTracker.js';

export interface NodeSetup {
  remote: FakeRemote;
  timings: UpdateTimings;
  pollMs: number;
  leaseTtl: number;
  runningCommit: string;
  policy: Rollout;
  logger: Logger;
  /** Each new app snapshot of this node. */
  onView: (node: string, view: AppView) => void;
  /** The supervisor itself failed (a bug). */
  onError: (node: string, error: unknown) => void;
}

function pathOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, inner] = Object.entries(value)[0] ?? [];
    return key === undefined ? '' : `${key}.${pathOf(inner)}`.replace(/\.$/, '');
  }
  return '';
}

export class SimNode {
  readonly link: FleetLink;
  private readonly supervisor: Actor<SupervisorMachine>;

  constructor(readonly id: string, client: Etcd3, private readonly setup: NodeSetup) {
    this.link = FleetLink.onClient(client, { nodeId: id, leaseTtl: setup.leaseTtl }, setup.logger);
    const effects = fakeNodeActors(setup.remote, setup.timings);
    const machine = supervisorMachine.provide({
      actors: { app: appMachine.provide({ actors: { ...effects, rolloutSlot: this.link.rolloutSlotActor() } }) },
    });
    this.supervisor = createActor(machine, {
      input: { apps: [appSpec(setup.timings, setup.pollMs, setup.runningCommit)] },
      inspect: (event) => {
        try {
          this.link.inspect(event);
        } finally {
          this.observe(event);
        }
      },
    });
  }

  start(): void {
    this.supervisor.subscribe({ error: (error) => this.setup.onError(this.id, error) });
    this.supervisor.start();
    this.link.attach(
      {
        send: (app, command) => this.supervisor.send({ type: 'APP.COMMAND', app, command }),
        policyOf: (app) => (app === APP ? this.setup.policy : undefined),
      },
      [APP],
    );
  }

  /** What an operator's `huddle poll app` does. */
  poll(): void {
    this.supervisor.send({ type: 'APP.COMMAND', app: APP, command: { type: 'POLL' } });
  }

  async stop(): Promise<void> {
    this.supervisor.stop();
    await this.link.stop();
  }

  private observe(event: InspectionEvent): void {
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as { value?: unknown; status?: string; error?: unknown; context?: Partial<AppContext> };
    if (snapshot.status === 'error') this.setup.onError(this.id, snapshot.error);
    const context = snapshot.context;
    if (!context?.spec || !context.persisted) return;
    const value = snapshot.value as Parameters<typeof topLevelState>[0];
    this.setup.onView(this.id, {
      state: topLevelState(value),
      path: pathOf(value),
      commit: context.persisted.currentCommit,
      probation: context.probation !== null && context.probation !== undefined,
      lastError: context.lastError ? `${context.lastError.source}: ${context.lastError.message}` : null,
    });
  }
}
