// A checkout that went missing (a new `local path`, a deleted directory) is cloned again: the clone
// holds the branch tip, whatever the state recorded, so what runs goes through `updating` and the
// process runs exactly the commit the status reports.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppPersisted } from '../../machines/app.types.js';
import { Story } from '../fixtures/machines/story.js';
import { appSpec } from '../fixtures/machines/specs.js';

let story: Story | undefined;
afterEach(() => story?.stop());

async function begin(...args: Parameters<typeof Story.start>): Promise<Story> {
  story = await Story.start(...args);
  return story;
}

function restored(patch: Partial<AppPersisted>): AppPersisted {
  return { currentCommit: 'c1', lastGoodCommit: 'c1', remoteHead: 'c1', badCommits: [], restarts: { total: 0, recent: 0 }, ...patch };
}

describe('a checkout cloned afresh', () => {
  it('holding another commit than the one to run (a pin behind the tip): that commit is checked out before the start', async () => {
    const s = await begin([appSpec('web', { restored: restored({}) })], {
      // The fetch decides c1 (the pinned ref); the clone checked out the tip c2.
      world: (w) => { w.remote('web', 'c1').loseCheckout('web', 'c2'); },
    });
    await s.play([
      { wait: 200, note: 'cloned: c1 goes through updating', expect: { web: 'updating' } },
      { wait: 2_000, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').commit).toBe('c1') },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1']);
    expect(s.world.spawnsOf('web').map((p) => [p.commit, p.checkedOut])).toEqual([['c1', 'c1']]);
  });

  it('holding the same commit: it still goes through updating (hooks and install never ran in it)', async () => {
    const s = await begin([appSpec('web', { restored: restored({}) })], {
      world: (w) => { w.remote('web', 'c1').loseCheckout('web', 'c1'); },
    });
    await s.play([{ wait: 200, expect: { web: 'updating' } }, { wait: 2_000, expect: { web: 'healthy' } }]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1']);
  });

  it('holding a quarantined tip: the last good commit is checked out again, the bad one never starts', async () => {
    const s = await begin([appSpec('web', { restored: restored({ remoteHead: 'bad', badCommits: ['bad'] }) })], {
      world: (w) => { w.remote('web', 'c1').push('web', 'bad').loseCheckout('web', 'bad'); },
    });
    await s.play([
      { wait: 200, note: 'the tip is quarantined: back to c1', expect: { web: 'updating' } },
      { wait: 2_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web')).toMatchObject({ commit: 'c1', error: null }) },
      { wait: 30_000, note: 'polls leave it alone', expect: { web: 'healthy' } },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1']);
    expect(s.world.spawnsOf('web').map((p) => [p.commit, p.checkedOut])).toEqual([['c1', 'c1']]);
  });

  it('while the app runs: the next poll replaces the checkout it lost: stopped, decided again, updated', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.loseCheckout('web', 'c2'); }, wait: 10_200, note: 'the poll clones', expect: { web: 'stopping' },
        check: (st) => expect(st.context('web').persisted.currentCommit).toBeNull() },
      { wait: 2_500, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').commit).toBe('c1') },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1', 'c1']);
    expect(s.world.spawnsOf('web').map((p) => [p.commit, p.checkedOut])).toEqual([['c1', 'c1'], ['c1', 'c1']]);
  });

  it('holding a quarantined tip with nothing good to return to: failed, nothing started', async () => {
    const s = await begin([appSpec('web', { restored: restored({ lastGoodCommit: null, currentCommit: 'c1', remoteHead: 'bad', badCommits: ['bad'] }) })], {
      world: (w) => { w.remote('web', 'bad').loseCheckout('web', 'bad'); },
    });
    await s.play([
      { wait: 200, expect: { web: 'failed' },
        check: (st) => expect(st.status('web')).toMatchObject({ commit: null }) },
    ]);
    expect(s.world.spawnsOf('web')).toHaveLength(0);
  });
});

describe('a daemon that boots while an update was marked on disk (killed mid-update)', () => {
  it('trusts no commit, even one recorded as the target: it goes through updating again before anything starts', async () => {
    const s = await begin([appSpec('web', { restored: restored({ currentCommit: 'c2', remoteHead: 'c2', deploying: 'c2' }) })], {
      world: (w) => { w.remote('web', 'c2'); },
    });
    await s.play([{ wait: 200, expect: { web: 'updating' } }, { wait: 2_000, expect: { web: 'healthy' } }]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c2']);
    expect(s.status('web').commit).toBe('c2');
  });
});

describe('an update left before it touches the checkout', () => {
  it('STOP while the app stops for it: the mark goes, the checkout keeps its commit', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2'); st.command('web', { type: 'POLL' }); }, wait: 250, expect: { web: 'stopping' },
        check: (st) => expect(st.context('web').persisted.deploying).toBe('c2') },
      { do: (st) => st.command('web', { type: 'STOP' }), wait: 400, expect: { web: 'stopped' },
        check: (st) => expect(st.context('web').persisted).toMatchObject({ currentCommit: 'c1', deploying: null }) },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1']);
  });
});

