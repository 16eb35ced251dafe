// A commit the fleet halted, as one app sees it (simulated time): the rollout slot answers
// `halted`, or FLEET.HALT arrives while the commit waits, runs on probation, or has proven itself.
import { afterEach, describe, expect, it } from 'vitest';
import { Story } from '../fixtures/machines/story.js';
import { appSpec } from '../fixtures/machines/specs.js';

let story: Story | undefined;
afterEach(() => story?.stop());

async function begin(...args: Parameters<typeof Story.start>): Promise<Story> {
  story = await Story.start(...args);
  return story;
}

// First deploy: fetch 200 + checkout 1000 + first check 1000; probation 5 s.
const spec = appSpec('web', { rollout: true, probationMs: 5_000 });

describe('a commit halted by the fleet', () => {
  it('is never deployed when the slot answers halted: the old version keeps serving', async () => {
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 8_000, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').lastGoodCommit).toBe('c1') },
      { do: (st) => { st.world.haltedCommits.set('web@c2', 'failed on 3 nodes'); st.world.push('web', 'c2'); st.command('web', { type: 'POLL' }); },
        wait: 200, expect: { web: 'waitingForRollout' } },
      { wait: 200, note: 'slot refused: halted', expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web')).toMatchObject({ commit: 'c1', error: 'the fleet halted c2: failed on 3 nodes' });
          expect(st.context('web').persisted.badCommits).toEqual(['c2']);
        } },
      { wait: 60_000, note: 'later polls leave c2 alone', expect: { web: 'healthy' } },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1']);
    expect(s.world.spawnsOf('web')).toHaveLength(1);
  });

  it('stops a node waiting for a slot for that commit', async () => {
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 8_000, expect: { web: 'healthy' } },
      { do: (st) => { st.world.rolloutGranted = false; st.world.push('web', 'c2'); st.command('web', { type: 'POLL' }); },
        wait: 400, expect: { web: 'waitingForRollout' } },
      { do: (st) => st.command('web', { type: 'FLEET.HALT', commit: 'c2', reason: 'halted by an operator' }),
        expect: { web: 'healthy' },
        check: (st) => expect(st.context('web').persisted.badCommits).toEqual(['c2']) },
      { do: (st) => { st.world.rolloutGranted = true; }, wait: 30_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c1') },
    ]);
    expect(s.world.spawnsOf('web')).toHaveLength(1);
  });

  it('rolls a node back at once when it runs the commit on probation', async () => {
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 8_000, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2'); st.command('web', { type: 'POLL' }); },
        wait: 200 + 200 + 300 + 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c2') },
      { do: (st) => st.command('web', { type: 'FLEET.HALT', commit: 'c2', reason: 'failed on 2 nodes' }),
        expect: { web: 'stopping' } },
      { wait: 300 + 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web')).toMatchObject({ commit: 'c1', rolledBack: 'rolled back c2 → c1: halted by the fleet: failed on 2 nodes' });
          expect(st.context('web').persisted.badCommits).toEqual(['c2']);
        } },
      { wait: 60_000, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').commit).toBe('c1') },
    ]);
    expect(s.world.spawnsOf('web').map((p) => p.commit)).toEqual(['c1', 'c2', 'c1']);
  });

  it('keeps a commit that passed probation here (nothing earlier to return to), and says so', async () => {
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 8_000, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2'); st.command('web', { type: 'POLL' }); }, wait: 10_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').lastGoodCommit).toBe('c2') },
      { do: (st) => st.command('web', { type: 'FLEET.HALT', commit: 'c2', reason: 'operator' }), expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web').error).toMatch(/halted c2 \(operator\) but it passed probation here: kept/);
          expect(st.context('web').persisted.badCommits).toEqual([]);
        } },
    ]);
    expect(s.world.spawnsOf('web').map((p) => p.commit)).toEqual(['c1', 'c2']);
  });

  it('is quarantined ahead of time on a node that has not seen it yet', async () => {
    const s = await begin([spec], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 8_000, expect: { web: 'healthy' } },
      { do: (st) => st.command('web', { type: 'FLEET.HALT', commit: 'c2', reason: 'operator' }), expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2'); st.command('web', { type: 'POLL' }); }, wait: 30_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c1') },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1']);
  });
});
