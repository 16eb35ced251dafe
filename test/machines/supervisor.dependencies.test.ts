// Stories of dependency order and runtime reconfiguration in simulated time.
import { afterEach, describe, expect, it } from 'vitest';
import { Story } from '../fixtures/machines/story.js';
import { appSpec } from '../fixtures/machines/specs.js';

let story: Story | undefined;
afterEach(() => story?.stop());

async function begin(...args: Parameters<typeof Story.start>): Promise<Story> {
  story = await Story.start(...args);
  return story;
}

const stack = () => [
  appSpec('worker', { depends: ['web', 'db'] }),
  appSpec('web', { depends: ['db'] }),
  appSpec('db'),
];

const remotes = (world: Story['world']) => { world.remote('db', 'd1').remote('web', 'w1').remote('worker', 'k1'); };

describe('dependency order', () => {
  it('an app starts only once its dependencies are healthy, and says what it waits for', async () => {
    const s = await begin(stack(), { world: remotes });
    await s.play([
      { expect: { db: 'fetching', web: 'waiting', worker: 'waiting' },
        check: (st) => {
          expect(st.status('web').waitingFor).toEqual(['db']);
          expect(st.status('worker').waitingFor).toEqual(['web', 'db']);
        } },
      { wait: 2_200, note: 'db healthy', expect: { db: 'healthy', web: 'fetching', worker: 'waiting' },
        check: (st) => expect(st.status('worker').waitingFor).toEqual(['web']) },
      { wait: 2_200, note: 'web healthy', expect: { web: 'healthy', worker: 'fetching' } },
      { wait: 2_200, expect: { worker: 'healthy' } },
    ]);
    const started = (app: string) => s.world.spawnsOf(app)[0]?.startedAt;
    expect([started('db'), started('web'), started('worker')]).toEqual([1_200, 3_400, 5_600]);
  });

  it('dependants of a dependency that fails wait visibly, and start when it recovers', async () => {
    const s = await begin(stack(), {
      world: (w) => { remotes(w); w.behave('db', 'd1', { exitAfterMs: 100 }); },
    });
    await s.play([
      { wait: 60_000, expect: { db: 'failed', web: 'waiting', worker: 'waiting' },
        check: (st) => {
          expect(st.status('web').waitingFor).toEqual(['db']);
          expect(st.world.spawnsOf('web')).toHaveLength(0);
        } },
      { do: (st) => { st.world.push('db', 'd2'); }, wait: 10_000 + 2_200 + 2_200 + 2_200, expect: { db: 'healthy', web: 'healthy', worker: 'healthy' } },
    ]);
  });

  it('an operator start overrides the hold', async () => {
    const s = await begin(stack(), { world: (w) => { remotes(w); w.breakRemote('db'); } });
    await s.play([
      { wait: 1_000, expect: { db: 'failed', web: 'waiting' } },
      { do: (st) => st.command('web', { type: 'START' }), wait: 2_200, expect: { web: 'healthy', worker: 'waiting' } },
    ]);
  });

  it('shut down: dependants first, each only after what depends on it has stopped, then the final state', async () => {
    const s = await begin(stack(), { world: remotes });
    await s.advance(7_000);
    s.send({ type: 'SHUTDOWN' });
    await s.play([
      { expect: { worker: 'stopping', web: 'healthy', db: 'healthy' } },
      { wait: 300, expect: { worker: '(absent)', web: 'stopping', db: 'healthy' } },
      { wait: 300, expect: { web: '(absent)', db: 'stopping' } },
      { wait: 300, expect: { db: '(absent)' }, check: (st) => expect(st.actor.getSnapshot().status).toBe('done') },
    ]);
    const ended = (app: string) => s.world.spawnsOf(app)[0]?.endedAt;
    expect([ended('worker'), ended('web'), ended('db')]).toEqual([7_300, 7_600, 7_900]);
    expect(s.world.processes.filter((p) => p.end === null)).toEqual([]);
  });

  it('a dependency cycle does not block the shutdown', async () => {
    const s = await begin([appSpec('a', { depends: ['b'] }), appSpec('b', { depends: ['a'] })], {
      world: (w) => { w.remote('a', 'a1').remote('b', 'b1'); },
    });
    await s.play([
      { wait: 10_000, expect: { a: 'waiting', b: 'waiting' } },
      { do: (st) => st.send({ type: 'SHUTDOWN' }), check: (st) => expect(st.actor.getSnapshot().status).toBe('done') },
    ]);
  });
});

describe('apps added, changed and removed at runtime', () => {
  it('add: the new app starts; the others are not touched', async () => {
    const s = await begin([appSpec('db')], { world: (w) => { w.remote('db', 'd1').remote('cache', 'r1'); } });
    await s.play([
      { wait: 2_200, expect: { db: 'healthy', cache: '(absent)' } },
      { do: (st) => st.send({ type: 'APP.ADD', spec: appSpec('cache', { depends: ['db'] }) }), expect: { cache: 'fetching' } },
      { wait: 2_200, expect: { cache: 'healthy', db: 'healthy' } },
    ]);
    expect(s.world.spawnsOf('db')).toHaveLength(1);
  });

  it('change: the app restarts with its new config and keeps its state; the others are not touched', async () => {
    const s = await begin(stack(), { world: remotes });
    await s.advance(7_000);
    const before = s.appRef('web');
    s.send({ type: 'APP.CHANGE', spec: appSpec('web', { depends: ['db'], poll: { minimumMs: 60_000, maximumMs: 60_000 } }) });
    await s.play([
      { expect: { web: 'stopping', db: 'healthy', worker: 'healthy' } },
      { wait: 300, note: 'a new actor: same commit, so no update, no clone', expect: { web: 'fetching' },
        check: (st) => {
          expect(st.appRef('web')).not.toBe(before);
          expect(st.context('web').spec.poll.minimumMs).toBe(60_000);
          expect(st.context('web').persisted.currentCommit).toBe('w1');
        } },
      { wait: 1_200, expect: { web: 'healthy', db: 'healthy', worker: 'healthy' } },
    ]);
    expect(s.world.spawnsOf('db')).toHaveLength(1);
    expect(s.world.spawnsOf('worker')).toHaveLength(1);
    expect(s.world.updates.filter((u) => u.app === 'web')).toHaveLength(1);
  });

  it('change with the same config does nothing', async () => {
    const s = await begin([appSpec('db')], { world: (w) => w.remote('db', 'd1') });
    await s.advance(2_200);
    s.send({ type: 'APP.CHANGE', spec: appSpec('db') });
    await s.play([{ expect: { db: 'healthy' } }]);
    expect(s.world.spawnsOf('db')).toHaveLength(1);
  });

  it('remove: the app stops and its actor is gone; the others are not touched', async () => {
    const s = await begin(stack(), { world: remotes });
    await s.advance(7_000);
    s.send({ type: 'APP.REMOVE', app: 'worker' });
    await s.play([
      { expect: { worker: 'stopping' } },
      { wait: 300, expect: { worker: '(absent)', web: 'healthy', db: 'healthy' },
        check: (st) => {
          expect(Object.keys(st.actor.getSnapshot().children).sort()).toEqual(['db', 'web']);
          expect(Object.keys(st.actor.getSnapshot().context.apps).sort()).toEqual(['db', 'web']);
        } },
    ]);
    expect(s.world.spawnsOf('worker').map((p) => p.end)).toEqual(['stopped']);
  });

  it('operator commands for unknown apps are ignored', async () => {
    const s = await begin([appSpec('db')], { world: (w) => w.remote('db', 'd1') });
    await s.advance(2_200);
    s.command('nope', { type: 'RESTART' });
    await s.play([{ expect: { db: 'healthy' } }]);
  });
});
