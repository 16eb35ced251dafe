import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, sendTo, setup, type InspectionEvent } from 'xstate';
import { deferInspection } from '../../src/inspect/deferInspection.js';

function fakeEvent(n: number): InspectionEvent {
  return { type: '@xstate.event', n } as unknown as InspectionEvent;
}

describe('deferInspection', () => {
  it('hands the events over once the current step is over, all of them, in order', async () => {
    const seen: number[] = [];
    const inspect = deferInspection((event) => seen.push((event as unknown as { n: number }).n), () => undefined);
    inspect(fakeEvent(1));
    inspect(fakeEvent(2));
    expect(seen).toEqual([]);
    await Promise.resolve();
    inspect(fakeEvent(3));
    await Promise.resolve();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('reports an inspector that throws and still hands over the events after it', async () => {
    const seen: number[] = [];
    const errors: unknown[] = [];
    const inspect = deferInspection((event) => {
      const { n } = event as unknown as { n: number };
      if (n === 1) throw new Error('broken inspector');
      seen.push(n);
    }, (error) => errors.push(error));
    inspect(fakeEvent(1));
    inspect(fakeEvent(2));
    await Promise.resolve();
    expect(seen).toEqual([2]);
    expect(errors).toEqual([new Error('broken inspector')]);
  });

  it('lets the step a first one led to start its actor before the first is inspected', async () => {
    // As a crash restart goes: the exit makes the app unhealthy, whose report comes back as an
    // order to restart (an event of its own, through the mailbox), whose step spawns the process.
    const states: string[] = [];
    let inspectedWhenStarted: string[] | undefined;
    const machine = setup({
      actors: {
        process: fromCallback(() => {
          inspectedWhenStarted = [...states];
        }),
      },
    }).createMachine({
      id: 'app',
      initial: 'healthy',
      states: {
        healthy: { on: { EXITED: 'unhealthy' } },
        unhealthy: {
          entry: sendTo(({ self }) => self, { type: 'RESTART' }),
          on: { RESTART: 'starting' },
        },
        starting: { invoke: { id: 'process', src: 'process' } },
      },
    });
    const actor = createActor(machine, {
      inspect: deferInspection((event) => {
        if (event.type === '@xstate.snapshot' && event.actorRef === actor) states.push(String((event.snapshot as unknown as { value: unknown }).value));
      }, () => undefined),
    });
    actor.start();
    await Promise.resolve();
    actor.send({ type: 'EXITED' });
    expect(inspectedWhenStarted).toEqual(['healthy']);
    await Promise.resolve();
    expect(states).toEqual(['healthy', 'unhealthy', 'starting']);
    actor.stop();
  });
});
