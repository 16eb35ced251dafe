// The Stately inspector link: a real WebSocket receiver on 127.0.0.1 sees the supervisor and every
// app chart; with nobody listening the link stays quiet and stops cleanly.
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { supervisorMachine } from '../../machines/supervisor.machine.js';
import { combineInspectors, startInspector, type StatelyInspector } from '../../src/inspect/index.js';
import { waitFor } from '../fixtures/git/waitFor.js';
import { FakeWorld } from '../fixtures/machines/fakeWorld.js';
import { appSpec } from '../fixtures/machines/specs.js';
import { storyMachines } from '../fixtures/machines/story.js';
import { TestClock, advance, settle } from '../fixtures/machines/testClock.js';
import { Receiver, deadPort, memoryLogger } from './receiver.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends { stop(): unknown } | { close(): unknown }>(thing: T): T {
  cleanups.push(() => ('stop' in thing ? thing.stop() : thing.close()));
  return thing;
}

/** The real supervisor chart with two fake apps (db, web) in simulated time. */
function fleet(inspect: (event: InspectionEvent) => void) {
  const clock = new TestClock();
  const world = new FakeWorld(clock).remote('db', 'd1').remote('web', 'w1');
  const actor: Actor<typeof supervisorMachine> = createActor(storyMachines(world), {
    input: { apps: [appSpec('db'), appSpec('web', { depends: ['db'] })] },
    clock,
    inspect,
  });
  cleanups.push(() => actor.stop());
  return { clock, world, actor };
}

const APPS = ['supervisor', 'db', 'web'];

describe('stately inspector', () => {
  it('streams actor and snapshot messages of the supervisor and every app to a receiver', async () => {
    const receiver = track(await Receiver.start());
    const logger = memoryLogger();
    const inspector = track(startInspector({ url: receiver.url, logger }));
    await waitFor(() => inspector.connected, { timeoutMs: 2_000, what: 'the inspector to connect' });

    const seen: string[] = [];
    const { clock, actor } = fleet(combineInspectors((event) => seen.push(event.type), inspector.inspect));
    actor.start();
    await settle();
    await advance(clock, 5_000);

    const actors = await waitFor(
      () => {
        const found = APPS.map((name) => receiver.actor(name));
        return found.every(Boolean) ? found.map((m) => m!) : undefined;
      },
      { timeoutMs: 2_000, what: '@xstate.actor for the supervisor and both apps' },
    );
    const [supervisor, db, web] = actors;
    expect(db!.parentId).toBe(supervisor!.sessionId);
    expect(web!.parentId).toBe(supervisor!.sessionId);
    // Both apps reach healthy (web after db): the inspector draws the live state.
    for (const app of [db!, web!]) {
      await waitFor(
        () => receiver.snapshotsOf(app.sessionId).some((m) => JSON.stringify(m.snapshot?.value).includes('healthy')),
        { timeoutMs: 2_000, what: `a healthy snapshot of ${app.name}` },
      );
    }
    expect(receiver.snapshotsOf(supervisor!.sessionId).length).toBeGreaterThan(0);
    // Events sent to the apps are shown as well.
    expect(receiver.messages.some((m) => m.type === '@xstate.event' && m.sessionId === db!.sessionId)).toBe(true);
    // The other inspector (the daemon's AppObserver) still sees everything.
    expect(seen).toContain('@xstate.snapshot');
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);

    // Shutdown: the final snapshots go out before stop() closes the link.
    actor.send({ type: 'SHUTDOWN' });
    await advance(clock, 5_000);
    expect(actor.getSnapshot().status).toBe('done');
    await inspector.stop();
    await waitFor(() => receiver.snapshotsOf(supervisor!.sessionId).some((m) => m.snapshot?.status === 'done'), {
      timeoutMs: 2_000,
      what: 'the supervisor done snapshot',
    });
  });

  it('a receiver that appears later is told every live actor and its current state', async () => {
    const port = await deadPort();
    const logger = memoryLogger();
    const inspector = track(startInspector({ url: `ws://127.0.0.1:${port}`, logger, retryMs: 50 }));
    const { clock, actor } = fleet(inspector.inspect);
    actor.start();
    await settle();
    await advance(clock, 5_000);
    await waitFor(() => logger.lines.some((l) => l.level === 'warn'), { timeoutMs: 2_000, what: 'the first failed attempt' });

    const receiver = track(await Receiver.start(port));
    await waitFor(() => APPS.every((name) => receiver.actor(name)), { timeoutMs: 3_000, what: 'the live actors announced' });
    const db = receiver.actor('db')!;
    const attached = receiver.snapshotsOf(db.sessionId).find((m) => m.event?.type === '@huddle.inspector.attached');
    expect(JSON.stringify(attached?.snapshot?.value)).toContain('healthy');
    // Short-lived children that already finished (fetches, checks) are not announced.
    expect(receiver.messages.filter((m) => m.type === '@xstate.actor').every((m) => m.snapshot?.status === 'active')).toBe(true);
    expect(logger.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([
      `stately inspector connected to ws://127.0.0.1:${port}`,
    ]);
  });

  it('with nobody listening: one warning, retries in the background, stop() ends them promptly', async () => {
    const logger = memoryLogger();
    const inspector: StatelyInspector = startInspector({ url: `ws://127.0.0.1:${await deadPort()}`, logger, retryMs: 20 });
    cleanups.push(() => inspector.stop());
    const { clock, actor } = fleet(inspector.inspect);
    actor.start();
    await settle();
    await advance(clock, 5_000);
    await waitFor(() => inspector.attempts >= 5, { timeoutMs: 3_000, what: 'five connection attempts' });
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/nothing listens at ws:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/) }),
    ]);

    actor.stop();
    const started = performance.now();
    await inspector.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    const attempts = inspector.attempts;
    // Proving an absence takes a wait: ten retry intervals in which no attempt may start.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inspector.attempts).toBe(attempts);
    expect(inspector.connected).toBe(false);
  });

  it('combineInspectors calls each inspector even when one throws, then rethrows', () => {
    const calls: string[] = [];
    const combined = combineInspectors(
      () => {
        calls.push('a');
        throw new Error('boom');
      },
      undefined,
      () => calls.push('b'),
    );
    expect(() => combined({ type: '@xstate.actor' } as never)).toThrow('boom');
    expect(calls).toEqual(['a', 'b']);
  });
});
