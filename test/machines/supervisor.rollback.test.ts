// Stories of safe releases in simulated time: a new commit that fails inside its probation is
// rolled back to the last good one and quarantined; an operator's explicit deploy lifts that.
import { afterEach, describe, expect, it } from 'vitest';
import type { RestartSpec } from '../../machines/app.types.js';
import { Story } from '../fixtures/machines/story.js';
import { appSpec } from '../fixtures/machines/specs.js';

let story: Story | undefined;
afterEach(() => story?.stop());

async function begin(...args: Parameters<typeof Story.start>): Promise<Story> {
  story = await Story.start(...args);
  return story;
}

const budget3: RestartSpec = { ...appSpec('x').restart, limit: { restarts: 3, windowMs: 300_000 } };

describe('rollback inside probation', () => {
  it('a new commit that exits at once: a crash loop, rolled back to the last good one, never retried', async () => {
    const s = await begin([appSpec('web', { restart: budget3 })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2', { exitAfterMs: 500, exitCode: 1 }); }, wait: 10_000 + 200 + 300 + 1_000,
        note: 'c2 started', expect: { web: 'starting' } },
      { wait: 500 + 1_000 + 500 + 2_000 + 500 + 4_000 + 500, note: 'three restarts, then the fourth failure: back to c1', expect: { web: 'updating' } },
      { wait: 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web')).toMatchObject({
            commit: 'c1', lastGoodCommit: 'c1',
            rolledBack: 'rolled back c2 → c1: crash loop during probation (more than 3 restarts within 300 s): process exited with code 1',
          });
          expect(st.context('web').persisted.badCommits).toEqual(['c2']);
        } },
      { wait: 120_000, note: 'polls see c2: quarantined, not deployed', expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c3'); }, wait: 12_500, note: 'a later good commit deploys normally', expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c3') },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1', 'c2', 'c1', 'c3']);
  });

  it('a new commit whose health check fails: rolled back as soon as its start fails', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2', { healthy: false }); }, wait: 11_500, expect: { web: 'starting' } },
      { wait: 4_500 + 2_500, note: 'start period, then three failed checks', expect: { web: 'stopping' } },
      { wait: 300 + 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').rolledBack).toBe('rolled back c2 → c1: unhealthy during probation: never became healthy: HTTP 503') },
    ]);
    expect(s.world.spawnsOf('web').map((p) => p.commit)).toEqual(['c1', 'c2', 'c1']);
  });

  it('a new commit that turns unhealthy within its probation is rolled back; after it, it is only restarted', async () => {
    const s = await begin([appSpec('web', { probationMs: 30_000 })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2'); }, wait: 12_500, expect: { web: 'healthy' } },
      { do: (st) => { st.world.behave('web', 'c2', { healthy: false }); }, wait: 3_000, expect: { web: 'stopping' } },
      { wait: 2_300, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').commit).toBe('c1') },
      { wait: 30_000, note: 'c1 on probation? no: it is the last good one',
        check: (st) => expect(st.context('web').probation).toBeNull() },
    ]);
  });

  it('a failure after the probation is restarted, not rolled back', async () => {
    const s = await begin([appSpec('web', { probationMs: 30_000 })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200 },
      { do: (st) => { st.world.push('web', 'c2'); }, wait: 12_500, expect: { web: 'healthy' } },
      { wait: 31_000, note: 'c2 passed its probation', check: (st) => expect(st.status('web').lastGoodCommit).toBe('c2') },
      { do: (st) => { st.world.behave('web', 'c2', { healthy: false }); }, wait: 3_000, expect: { web: 'unhealthy' } },
      { do: (st) => { st.world.behave('web', 'c2', { healthy: true }); }, wait: 2_300, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web')).toMatchObject({ commit: 'c2', rolledBack: null, restarts: 1 }) },
    ]);
  });

  it('with rollback disabled a failing commit is restarted until the budget is gone, then failed', async () => {
    const s = await begin([appSpec('web', { rollback: false, restart: budget3 })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200 },
      { do: (st) => { st.world.push('web', 'c2', { exitAfterMs: 500 }); }, wait: 10_000 + 200 + 300 + 1_000 + 10_000, expect: { web: 'failed' },
        check: (st) => expect(st.status('web')).toMatchObject({ commit: 'c2', rolledBack: null }) },
    ]);
  });
});

describe('quarantine', () => {
  it('an operator deploy of a quarantined commit clears the quarantine and deploys it', async () => {
    const s = await begin([appSpec('web', { restart: { ...budget3, policy: 'never' } })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200 },
      { do: (st) => { st.world.push('web', 'c2', { exitAfterMs: 500 }); }, wait: 10_000 + 200 + 300 + 1_000 + 500 + 2_300,
        note: 'c2 rolled back', expect: { web: 'healthy' },
        check: (st) => expect(st.context('web').persisted.badCommits).toEqual(['c2']) },
      { do: (st) => { st.world.behave('web', 'c2', { exitAfterMs: undefined }); st.command('web', { type: 'DEPLOY', commit: 'c2' }); },
        wait: 200 + 300 + 1_000 + 1_000, note: 'fixed outside git (say, a missing file): the operator insists', expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web').commit).toBe('c2');
          expect(st.context('web').persisted.badCommits).toEqual([]);
        } },
    ]);
  });
});
