// Stories of the supervisor's restart policies in simulated time: backoff and its jitter, the reset
// after a stable period, the restart budget, `failed` and the ways out of it, and no leak.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppMachineInput, RestartSpec } from '../../machines/app.types.js';
import { Story } from '../fixtures/machines/story.js';
import { appSpec } from '../fixtures/machines/specs.js';

let story: Story | undefined;
afterEach(() => story?.stop());

async function begin(...args: Parameters<typeof Story.start>): Promise<Story> {
  story = await Story.start(...args);
  return story;
}

function restart(patch: Partial<Omit<RestartSpec, 'backoff'>> & { backoff?: Partial<RestartSpec['backoff']> }): RestartSpec {
  const base = appSpec('x').restart;
  return { ...base, ...patch, backoff: { ...base.backoff, ...patch.backoff } };
}

/** Delay between each exit and the next start of the app's processes. */
function restartGaps(s: Story, app: string): number[] {
  const spawns = s.world.spawnsOf(app);
  return spawns.slice(1).map((next, i) => next.startedAt - (spawns[i]?.endedAt ?? Number.NaN));
}

const crashLoop = (app: string, commit: string) => (world: Story['world']) => {
  world.remote(app, commit).behave(app, commit, { exitAfterMs: 500, exitCode: 1 });
};

describe('restarts with exponential backoff', () => {
  it('crash loop: restarted after 1, 2, 4, 8, 16 s, then capped at max', async () => {
    const spec = appSpec('web', { restart: restart({ backoff: { maxMs: 16_000 }, limit: { restarts: 100, windowMs: 3_600_000 } }) });
    const s = await begin([spec], { world: crashLoop('web', 'c1') });
    await s.advance(120_000);
    // The backoff counts from the exit; the update is not repeated (1 s of the first start).
    expect(restartGaps(s, 'web').slice(0, 8)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 16_000, 16_000, 16_000]);
    expect(s.world.updates).toHaveLength(1);
    expect(s.timeline('web').slice(0, 8)).toEqual(['idle', 'fetching', 'updating', 'starting', 'unhealthy', 'starting', 'unhealthy', 'starting']);
  });

  it('`first = 0`: the first restart starts the app again without waiting for any timer', async () => {
    const spec = appSpec('web', { restart: restart({ backoff: { firstMs: 0 } }) });
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1') });
    await s.play([{ wait: 2_200, expect: { web: 'healthy' } }]);
    // Within the crash's own step: no timer, not even one of 0 ms, stands between exit and start.
    s.world.crash('web');
    expect(s.world.spawnsOf('web')).toHaveLength(2);
    expect(restartGaps(s, 'web')).toEqual([0]);
    await s.play([{ do: (st) => st.world.crash('web'), wait: 1_100, note: 'the second waits `initial`', expect: { web: 'starting' } }]);
    expect(restartGaps(s, 'web')).toEqual([0, 1_000]);
  });

  it('jitter takes at most `jitter` of each delay off, at random', async () => {
    const spec = appSpec('web', {
      restart: restart({ backoff: { initialMs: 10_000, factor: 1, maxMs: 10_000, jitter: 0.3 }, limit: { restarts: 1_000, windowMs: 3_600_000 } }),
    });
    const s = await begin([spec], { randomness: 'real', world: crashLoop('web', 'c1') });
    await s.advance(600_000);
    const gaps = restartGaps(s, 'web');
    expect(gaps.length).toBeGreaterThan(40);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(7_000);
      expect(gap).toBeLessThanOrEqual(10_000);
    }
    expect(new Set(gaps).size).toBeGreaterThan(10);
  });

  it('the backoff starts again from `initial` after `reset after` healthy', async () => {
    const spec = appSpec('web', { restart: restart({ backoff: { resetAfterMs: 30_000 } }) });
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => st.world.crash('web'), wait: 3_000, note: 'first crash: 1 s', expect: { web: 'healthy' } },
      { do: (st) => st.world.crash('web'), wait: 4_000, note: 'second, unstable: 2 s', expect: { web: 'healthy' } },
      { do: (st) => st.world.crash('web'), wait: 6_000, note: 'third: 4 s', expect: { web: 'healthy' } },
      { wait: 30_000, note: 'stable for 30 s', check: (st) => expect(st.context('web').restartStreak).toBe(0) },
      { do: (st) => st.world.crash('web'), wait: 3_000, note: 'next crash: 1 s again', expect: { web: 'healthy' } },
    ]);
    expect(restartGaps(s, 'web')).toEqual([1_000, 2_000, 4_000, 1_000]);
    expect(s.status('web').restarts).toBe(4);
  });
});

describe('the restart budget', () => {
  const budget = (extra: Partial<AppMachineInput> = {}) =>
    appSpec('web', { restart: restart({ limit: { restarts: 3, windowMs: 300_000 } }), ...extra });

  it('more than limit.restarts within the window: failed, not restarted, still polling', async () => {
    const s = await begin([budget()], { world: crashLoop('web', 'c1') });
    await s.play([
      { wait: 1_200 + 500 + 1_000 + 500 + 2_000 + 500 + 4_000 + 500 - 1, note: 'the third restart runs', expect: { web: 'starting' } },
      { wait: 1, note: 'the fourth failure exhausts it', expect: { web: 'failed' },
        check: (st) => expect(st.status('web').error).toBe('more than 3 restarts within 300 s: process exited with code 1') },
      { wait: 60_000, expect: { web: 'failed' } },
    ]);
    expect(s.world.spawnsOf('web')).toHaveLength(4);
    expect(s.world.fetches.length).toBeGreaterThan(3);
  });

  it('failed, then a new commit: deployed and tried again with a whole budget', async () => {
    const s = await begin([budget()], { world: crashLoop('web', 'c1') });
    await s.play([
      { wait: 10_700, expect: { web: 'failed' } },
      { do: (st) => { st.world.push('web', 'c2'); }, wait: 10_000 + 200 + 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web')).toMatchObject({ commit: 'c2', error: null }) },
      { do: (st) => st.world.crash('web'), wait: 2_000, note: 'a crash of c2 is restarted', expect: { web: 'healthy' } },
    ]);
  });

  it('failed, then an operator restart: tried again', async () => {
    const s = await begin([budget()], { world: crashLoop('web', 'c1') });
    await s.play([
      { wait: 10_700, expect: { web: 'failed' } },
      { do: (st) => { st.world.behave('web', 'c1', { exitAfterMs: undefined }); st.command('web', { type: 'RESTART' }); },
        wait: 200 + 1_000, expect: { web: 'healthy' } },
      { do: (st) => st.world.crash('web'), wait: 2_000, note: 'budget whole again', expect: { web: 'healthy' } },
    ]);
  });

  it('a hung-but-alive unhealthy app that is given up on is stopped', async () => {
    const s = await begin([budget({ restart: restart({ limit: { restarts: 0, windowMs: 60_000 } }) })], {
      world: (w) => w.remote('web', 'c1'),
    });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.behave('web', 'c1', { healthy: false }); }, wait: 3_000 + 300, expect: { web: 'failed' },
        check: (st) => expect(st.world.running('web')).toHaveLength(0) },
    ]);
  });
});

describe('restart policies', () => {
  it('on-failure: a clean exit stays stopped, a failure is restarted', async () => {
    const s = await begin([appSpec('job', { restart: restart({ policy: 'on-failure' }) }), appSpec('worker', { restart: restart({ policy: 'on-failure' }) })], {
      world: (w) => {
        w.remote('job', 'j1').behave('job', 'j1', { exitAfterMs: 3_000, exitCode: 0 });
        w.remote('worker', 'w1').behave('worker', 'w1', { exitAfterMs: 3_000, exitCode: 2 });
      },
    });
    await s.play([{ wait: 5_500, expect: { job: 'stopped', worker: 'starting' } }]);
  });

  it('never: a failure is given up on at once', async () => {
    const s = await begin([appSpec('web', { restart: restart({ policy: 'never' }) })], { world: crashLoop('web', 'c1') });
    await s.play([{ wait: 1_700, expect: { web: 'failed' } }]);
    expect(s.world.spawnsOf('web')).toHaveLength(1);
  });

  it('always: even a clean exit is restarted', async () => {
    const s = await begin([appSpec('web')], {
      world: (w) => { w.remote('web', 'c1').behave('web', 'c1', { exitAfterMs: 3_000, exitCode: 0 }); },
    });
    await s.play([{ wait: 5_200, expect: { web: 'starting' } }]);
  });
});

describe('no leak', () => {
  it('10,000 restarts leave the snapshot, the children and the timers the same size', async () => {
    const spec = appSpec('web', {
      poll: { minimumMs: 86_400_000, maximumMs: 86_400_000 },
      health: null,
      startPeriodMs: 100,
      probationMs: 50,
      restart: restart({ backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 50 }, limit: { restarts: 10, windowMs: 1_000 } }),
    });
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1').behave('web', 'c1', { exitAfterMs: 200, exitCode: 1 }) });
    const measure = () => ({
      bytes: JSON.stringify(s.actor.getPersistedSnapshot()).length,
      children: Object.keys(s.actor.getSnapshot().children).length,
      appChildren: Object.keys(s.appRef('web')?.getSnapshot().children ?? {}).length,
      timers: s.clock.pendingTimers(),
    });
    await s.advance(10_000);
    const before = measure();
    const restartsBefore = s.status('web').restarts;
    while (s.status('web').restarts < restartsBefore + 10_000) await s.advance(100_000);
    const after = measure();
    expect(s.state('web')).not.toBe('failed');
    expect(after.children).toBe(before.children);
    expect(after.appChildren).toBeLessThanOrEqual(1);
    expect(after.timers).toBeLessThanOrEqual(before.timers + 5);
    // Only counters grow (restart total, incident, pids): a few digits, never one entry per restart.
    expect(Math.abs(after.bytes - before.bytes)).toBeLessThan(40);
  }, 60_000);
});
