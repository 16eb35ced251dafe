// The real supervisor and app charts in simulated time, in the fake world of the chart tests, with
// HuddleMetrics watching through `inspect` and (optionally) timing the fake effects, as the
// daemon wires it.
import { createActor, fromPromise, toPromise, type Actor, type AnyActorLogic, type InputFrom, type OutputFrom } from 'xstate';
import { appMachine } from '../../machines/app.machine.js';
import type { AppMachineInput, FetchRemoteInput, FetchRemoteOutput, HealthCheckInput, HealthCheckOutput } from '../../machines/app.types.js';
import { backoffBaseMs } from '../../machines/backoff.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { HuddleMetrics } from '../../src/metrics/index.js';
import { FakeWorld } from '../fixtures/machines/fakeWorld.js';
import { storyMachines } from '../fixtures/machines/story.js';
import { TestClock, advance, settle } from '../fixtures/machines/testClock.js';
import { parseExposition, type Exposition } from './exposition.js';

/** Runs promise logic once, standalone, for its result: the fake effects, reused inside a wrapper. */
function run<L extends AnyActorLogic>(logic: L, input: InputFrom<L>): Promise<OutputFrom<L>> {
  return toPromise(createActor(logic, { input }).start());
}

/** The fake effects, with polls and health checks timed as the daemon's effects call the wrappers. */
function timedMachines(world: FakeWorld, metrics: HuddleMetrics) {
  const fake = world.actors();
  const app = appMachine.provide({
    actors: {
      ...fake,
      fetchRemote: fromPromise<FetchRemoteOutput, FetchRemoteInput>(({ input }) =>
        metrics.timePoll(input.app, run(fake.fetchRemote, input))),
      healthCheck: fromPromise<HealthCheckOutput, HealthCheckInput>(({ input }) =>
        metrics.timeHealthCheck(input.app, run(fake.healthCheck, input))),
    },
    delays: { pollDelay: ({ context }) => context.spec.poll.minimumMs },
  });
  // No jitter, as in the chart stories: the restart backoff is the base delay.
  return supervisorMachine.provide({
    actors: { app },
    delays: {
      restartBackoff: ({ context, event }) => {
        if (event.type !== 'APP.UNHEALTHY') return 0;
        const backoff = context.apps[event.app]?.spec.restart.backoff;
        return backoff === undefined ? 0 : backoffBaseMs(backoff, event.streak);
      },
    },
  });
}

export class MetricsRun {
  readonly clock = new TestClock();
  readonly world = new FakeWorld(this.clock);
  readonly metrics = new HuddleMetrics({ processMetrics: false, now: () => this.clock.now() });
  readonly actor: Actor<typeof supervisorMachine>;

  constructor(apps: AppMachineInput[], options: { world?: (world: FakeWorld) => void; timed?: boolean } = {}) {
    options.world?.(this.world);
    const machine = options.timed ? timedMachines(this.world, this.metrics) : storyMachines(this.world);
    this.actor = createActor(machine, { input: { apps }, clock: this.clock, inspect: this.metrics.observeSnapshot });
  }

  static async start(...args: ConstructorParameters<typeof MetricsRun>): Promise<MetricsRun> {
    const started = new MetricsRun(...args);
    started.actor.start();
    await settle();
    return started;
  }

  advance(ms: number): Promise<void> {
    return advance(this.clock, ms);
  }

  async exposition(): Promise<Exposition> {
    return parseExposition(await this.metrics.metricsText());
  }

  stop(): void {
    this.actor.stop();
  }
}
