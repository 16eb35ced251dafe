// Stories of one application under the supervisor, in simulated time: deploy, polls, updates,
// errors of the remote and of the update, health, and what an operator can do.
import { afterEach, describe, expect, it } from 'vitest';
import { Story } from '../fixtures/machines/story.js';
import { appSpec } from '../fixtures/machines/specs.js';

let story: Story | undefined;
afterEach(() => story?.stop());

async function begin(...args: Parameters<typeof Story.start>): Promise<Story> {
  story = await Story.start(...args);
  return story;
}

describe('an application, deployed and kept up to date', () => {
  it('first deploy: fetching (clone) → updating → starting → healthy', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { note: 'cloned and fetching at once', expect: { web: 'fetching' } },
      { wait: 200, note: 'head c1 found: checkout', expect: { web: 'updating' } },
      { wait: 1_000, note: 'checked out: process started', expect: { web: 'starting' },
        check: (st) => expect(st.world.running('web').map((p) => p.commit)).toEqual(['c1']) },
      { wait: 1_000, note: 'first check passes', expect: { web: 'healthy' },
        check: (st) => expect(st.status('web')).toMatchObject({ commit: 'c1', pid: 1000, health: 'passing: HTTP 200', error: null }) },
    ]);
    expect(s.timeline('web')).toEqual(['idle', 'fetching', 'updating', 'starting', 'healthy']);
    expect(s.world.updates).toEqual([{ app: 'web', commit: 'c1', at: 1_200, ok: true }]);
  });

  it('checks come every startIntervalMs during the start period, then every intervalMs', async () => {
    const health = { intervalMs: 5_000, retries: 3, startIntervalMs: 100 };
    const s = await begin([appSpec('web', { health })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 1_200, note: 'checked out: process started', expect: { web: 'starting' } },
      { wait: 100, note: 'first check after startIntervalMs, not intervalMs', expect: { web: 'healthy' } },
      { wait: 12_000, expect: { web: 'healthy' } },
    ]);
    const checks = s.world.checks.filter((c) => c.app === 'web').map((c) => c.at);
    expect(checks[0]).toBe(1_300);
    // Once healthy, the ordinary interval applies.
    expect(checks[1]).toBeGreaterThanOrEqual(1_300 + 5_000);
  });

  it('poll with no change: back to healthy, same process, nothing updated', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { wait: 10_000, note: 'poll after timing.minimum', expect: { web: 'fetching' } },
      { wait: 200, note: 'same commit', expect: { web: 'healthy' } },
      { wait: 30_000, expect: { web: 'healthy' } },
    ]);
    expect(s.world.fetches.map((f) => f.at)).toEqual([0, 12_200, 22_400, 32_600]);
    expect(s.world.updates.length).toBe(1);
    expect(s.world.spawnsOf('web')).toHaveLength(1);
    expect(s.world.running('web')).toHaveLength(1);
  });

  it('poll with a change: stopping → updating → starting, exactly one process at a time', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2'); }, wait: 10_200, note: 'poll sees c2', expect: { web: 'stopping' } },
      { wait: 300, note: 'old process stopped', expect: { web: 'updating' },
        check: (st) => expect(st.world.running('web')).toHaveLength(0) },
      { wait: 1_000, expect: { web: 'starting' } },
      { wait: 1_000, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').commit).toBe('c2') },
    ]);
    expect(s.world.spawnsOf('web').map((p) => [p.commit, p.end])).toEqual([['c1', 'stopped'], ['c2', null]]);
    expect(s.timeline('web').slice(-5)).toEqual(['fetching', 'stopping', 'updating', 'starting', 'healthy']);
  });

  it('random poll delays stay within [minimum, maximum]', async () => {
    const s = await begin([appSpec('web', { poll: { minimumMs: 10_000, maximumMs: 20_000 } })], {
      randomness: 'real', world: (w) => { w.remote('web', 'c1'); w.fetchMs = 0; },
    });
    await s.advance(600_000);
    // The first fetch is the deploy: the first poll's timer starts only once the app is healthy.
    const starts = s.world.fetches.slice(1).map((f) => f.at);
    const gaps = starts.slice(1).map((at, i) => at - (starts[i] ?? 0));
    expect(gaps.length).toBeGreaterThan(25);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(10_000);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(20_000);
    expect(new Set(gaps).size).toBeGreaterThan(5);
  });

  it('fetch error while running: keeps serving, reports the error, retries at the next poll', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.breakRemote('web', 'fatal: Authentication failed'); }, wait: 10_200, expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web').error).toBe('fetch failed: fatal: Authentication failed');
          expect(st.world.running('web')).toHaveLength(1);
        } },
      { do: (st) => { st.world.repairRemote('web').push('web', 'c2'); }, wait: 10_200, note: 'next poll recovers', expect: { web: 'stopping' },
        check: (st) => expect(st.status('web').error).toBeNull() },
      { wait: 2_300, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').commit).toBe('c2') },
    ]);
    expect(s.world.spawnsOf('web')).toHaveLength(2);
  });

  it('an unreachable remote at boot still starts what is checked out, and never-deployed apps wait', async () => {
    const restored = { currentCommit: 'c1', lastGoodCommit: 'c1', remoteHead: 'c1', badCommits: [], restarts: { total: 0, recent: 0 } };
    const s = await begin([appSpec('web', { restored }), appSpec('api')], {
      world: (w) => { w.remote('web', 'c1').breakRemote('web'); w.remote('api', 'a1').breakRemote('api'); },
    });
    await s.play([
      { wait: 1_200, expect: { web: 'healthy', api: 'failed' },
        check: (st) => {
          expect(st.status('web').error).toMatch(/^fetch failed/);
          expect(st.status('api').error).toMatch(/^fetch failed/);
        } },
      { do: (st) => { st.world.repairRemote('api'); }, wait: 10_000 + 200 + 1_000 + 1_000, note: 'api deploys at its next poll', expect: { api: 'healthy' } },
    ]);
  });

  it('an update that fails goes back to the last good commit (and quarantines the new one)', async () => {
    const s = await begin([appSpec('web', { probationMs: 5_000 })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 8_000, note: 'c1 passed probation', expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').lastGoodCommit).toBe('c1') },
      { do: (st) => { st.world.push('web', 'c2', { updateError: 'post-pull hook exited with code 2' }); }, wait: 12_000 },
      { note: 'c2 failed to check out; c1 checked out again', wait: 3_000, expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web')).toMatchObject({
            commit: 'c1', rolledBack: 'rolled back c2 → c1: update failed: post-pull hook exited with code 2',
          });
          expect(st.context('web').persisted.badCommits).toEqual(['c2']);
        } },
      { wait: 60_000, note: 'c2 is never tried again', expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c3'); }, wait: 12_500, note: 'a later commit deploys normally', expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c3') },
    ]);
    expect(s.world.updates.map((u) => `${u.commit}:${u.ok ? 'ok' : 'failed'}`)).toEqual(['c1:ok', 'c2:failed', 'c1:ok', 'c3:ok']);
    expect(s.world.spawnsOf('web').map((p) => p.commit)).toEqual(['c1', 'c1', 'c3']);
  });

  it('an update that fails for a reason of this node (a lock, its checkout) goes back without quarantining the commit', async () => {
    const s = await begin([appSpec('web', { probationMs: 5_000 })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 8_000, note: 'c1 passed probation', expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2', { updateError: "Unable to create '/co/.git/index.lock': File exists", updateErrorNodeLocal: true }); },
        wait: 12_000 },
      { wait: 3_000, expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web')).toMatchObject({ commit: 'c1' });
          expect(st.context('web').persisted.badCommits).toEqual([]);
        } },
      { do: (st) => { st.world.behave('web', 'c2', { updateError: undefined }); st.command('web', { type: 'DEPLOY', commit: 'c2' }); },
        wait: 3_000, note: 'an operator deploys it once the node is fixed', expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c2') },
    ]);
    expect(s.world.updates.map((u) => `${u.commit}:${u.ok ? 'ok' : 'failed'}`)).toEqual(['c1:ok', 'c2:failed', 'c1:ok', 'c2:ok']);
  });

  it('a first deploy that fails to update is failed, and retried at the next poll', async () => {
    const s = await begin([appSpec('web')], {
      world: (w) => { w.remote('web', 'c1').behave('web', 'c1', { updateError: 'npm ci failed' }); },
    });
    await s.play([
      { wait: 1_200, expect: { web: 'failed' },
        check: (st) => expect(st.status('web')).toMatchObject({ commit: null, error: 'update to c1 failed: npm ci failed' }) },
      { do: (st) => { st.world.behave('web', 'c1', { updateError: undefined }); }, wait: 10_000 + 200 + 1_000 + 1_000,
        expect: { web: 'healthy' } },
    ]);
    expect(s.world.running('web')).toHaveLength(1);
  });

  it('health checks: retries consecutive failures make it unhealthy, and it is restarted', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.behave('web', 'c1', { healthy: false }); }, wait: 2_000, note: 'two failures', expect: { web: 'healthy' } },
      { wait: 1_000, note: 'third failure', expect: { web: 'unhealthy' },
        check: (st) => expect(st.status('web').error).toBe('health check failing: HTTP 503') },
      { do: (st) => { st.world.behave('web', 'c1', { healthy: true }); }, wait: 999, note: 'still running during the backoff', expect: { web: 'unhealthy' },
        check: (st) => expect(st.world.running('web')).toHaveLength(1) },
      { wait: 1, note: 'backoff over: stopped first', expect: { web: 'stopping' } },
      { wait: 300, expect: { web: 'starting' } },
      { wait: 1_000, expect: { web: 'healthy' } },
    ]);
    expect(s.world.spawnsOf('web').map((p) => p.end)).toEqual(['stopped', null]);
  });

  it('a start that never passes a check, past the start period, is unhealthy', async () => {
    const s = await begin([appSpec('web', { restart: { ...appSpec('x').restart, policy: 'never' } })], {
      world: (w) => { w.remote('web', 'c1').behave('web', 'c1', { healthy: false }); },
    });
    await s.play([
      { wait: 1_200 + 4_500, note: 'failures inside the start period do not count', expect: { web: 'starting' } },
      { wait: 2_400, note: 'two failures after it', expect: { web: 'starting' } },
      { wait: 400, note: 'the third: given up (policy never)', expect: { web: 'failed' },
        check: (st) => expect(st.status('web').error).toMatch(/never became healthy: HTTP 503; restart policy is never/) },
    ]);
    expect(s.world.running('web')).toHaveLength(0);
  });

  it('without a health check, surviving the start period is the start', async () => {
    const s = await begin([appSpec('web', { health: null })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 1_200 + 4_499, expect: { web: 'starting' } },
      { wait: 1, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').health).toBe('none') },
    ]);
  });

  it('a process exit is seen in every state, fetching included', async () => {
    const s = await begin([appSpec('web')], { world: (w) => { w.remote('web', 'c1'); w.fetchMs = 5_000; } });
    await s.play([
      { wait: 5_000 + 1_000 + 1_000, expect: { web: 'healthy' } },
      { wait: 11_000, note: 'a slow poll', expect: { web: 'fetching' } },
      { do: (st) => st.world.crash('web', 137), expect: { web: 'unhealthy' },
        check: (st) => expect(st.status('web').error).toBe('process exited with code 137') },
      { wait: 1_000, note: 'restarted after the backoff', expect: { web: 'starting' } },
    ]);
  });

  it('a file deployment (no process) goes straight to healthy and updates its files on a new commit', async () => {
    const s = await begin([appSpec('proxy-conf', { process: null, health: null })], { world: (w) => w.remote('proxy-conf', 'f1') });
    await s.play([
      { wait: 1_200, expect: { 'proxy-conf': 'healthy' } },
      { do: (st) => { st.world.push('proxy-conf', 'f2'); }, wait: 10_200, expect: { 'proxy-conf': 'updating' } },
      { wait: 1_000, expect: { 'proxy-conf': 'healthy' }, check: (st) => expect(st.status('proxy-conf').commit).toBe('f2') },
    ]);
    expect(s.world.processes).toHaveLength(0);
  });

  it('a process that ignores the stop is stopped by force after its stop timeout', async () => {
    const s = await begin([appSpec('web')], { world: (w) => { w.remote('web', 'c1'); w.deafApps.add('web'); } });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => st.command('web', { type: 'STOP' }), expect: { web: 'stopping' } },
      { wait: 2_000 + 5_000 - 1, expect: { web: 'stopping' } },
      { wait: 1, expect: { web: 'stopped' },
        check: (st) => {
          expect(st.world.spawnsOf('web').map((p) => p.end)).toEqual(['killed']);
          expect(st.status('web').error).toMatch(/stopped by force/);
        } },
    ]);
  });

  it('waits for a fleet rollout slot while the old version keeps serving', async () => {
    const s = await begin([appSpec('web', { rollout: true })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 200 + 200 + 1_000 + 1_000, expect: { web: 'healthy' } },
      { do: (st) => { st.world.rolloutGranted = false; st.world.push('web', 'c2'); }, wait: 10_400, expect: { web: 'waitingForRollout' },
        check: (st) => {
          expect(st.status('web').error).toBe('no rollout slot yet: fleet busy');
          expect(st.world.running('web').map((p) => p.commit)).toEqual(['c1']);
        } },
      { do: (st) => { st.world.rolloutGranted = true; }, wait: 10_200 + 300 + 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c2') },
    ]);
  });
});

describe('operator commands', () => {
  it('poll now, stop, start, restart', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => { st.world.push('web', 'c2'); st.command('web', { type: 'POLL' }); }, expect: { web: 'fetching' } },
      { wait: 2_500, expect: { web: 'healthy' }, check: (st) => expect(st.status('web').commit).toBe('c2') },
      { do: (st) => st.command('web', { type: 'STOP' }), wait: 300, expect: { web: 'stopped' },
        check: (st) => expect(st.world.running('web')).toHaveLength(0) },
      { wait: 60_000, note: 'a stopped app does not poll', expect: { web: 'stopped' } },
      { do: (st) => st.command('web', { type: 'START' }), wait: 200 + 1_000, note: 'same commit: no update', expect: { web: 'healthy' } },
      { do: (st) => st.command('web', { type: 'RESTART' }), wait: 300, expect: { web: 'starting' } },
      { wait: 1_000, expect: { web: 'healthy' } },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1', 'c2']);
    expect(s.world.spawnsOf('web').map((p) => p.commit)).toEqual(['c1', 'c2', 'c2', 'c2']);
  });

  it('deploy <commit>: an explicit older commit stays until the branch moves on', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { do: (st) => { st.world.push('web', 'c2'); }, wait: 2_200, expect: { web: 'healthy' } },
      { do: (st) => st.command('web', { type: 'DEPLOY', commit: 'c1' }), wait: 200 + 300 + 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => expect(st.status('web').commit).toBe('c1') },
      { wait: 40_000, note: 'polls see c2 again, already seen: c1 stays', check: (st) => expect(st.status('web').commit).toBe('c1') },
      { do: (st) => { st.world.push('web', 'c3'); }, wait: 12_500, check: (st) => expect(st.status('web').commit).toBe('c3') },
    ]);
  });

  it('shut down: the process is stopped and the app reaches its final state with its persisted data', async () => {
    const s = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await s.advance(2_200);
    const ref = s.appRef('web');
    s.send({ type: 'SHUTDOWN' });
    await s.advance(300);
    expect(s.world.running('web')).toHaveLength(0);
    expect(ref?.getSnapshot()).toMatchObject({ status: 'done', output: { currentCommit: 'c1' } });
    expect(s.actor.getSnapshot().status).toBe('done');
  });
});

describe('restore after a daemon restart', () => {
  it('starts from the persisted state: a commit still on probation is rolled back if it fails', async () => {
    const restored = {
      currentCommit: 'c2', lastGoodCommit: 'c1', remoteHead: 'c2', badCommits: ['c0'], restarts: { total: 7, recent: 0 },
    };
    const s = await begin([appSpec('web', { restored })], {
      world: (w) => { w.remote('web', 'c2'); w.behave('web', 'c2', { healthy: false }); },
    });
    await s.play([
      { wait: 200, note: 'c2 is checked out already: started without an update', expect: { web: 'starting' } },
      { wait: 7_000, note: 'never healthy while on probation: rolled back', expect: { web: 'stopping' } },
      { wait: 300 + 1_000 + 1_000, expect: { web: 'healthy' },
        check: (st) => {
          expect(st.status('web')).toMatchObject({ commit: 'c1', restarts: 7 });
          expect(st.context('web').persisted.badCommits).toEqual(['c0', 'c2']);
        } },
      { wait: 10_000, note: 'the poll timer was armed by the chart itself', check: (st) => expect(st.world.fetches.length).toBe(2) },
    ]);
    expect(s.world.updates.map((u) => u.commit)).toEqual(['c1']);
  });

  it('re-arms the restart window of the restored restarts itself (xstate #5331)', async () => {
    const restored = {
      currentCommit: 'c1', lastGoodCommit: 'c1', remoteHead: 'c1', badCommits: [], restarts: { total: 9, recent: 2 },
    };
    const restart = { ...appSpec('x').restart, limit: { restarts: 3, windowMs: 60_000 } };
    const s = await begin([appSpec('web', { restored, restart })], { world: (w) => w.remote('web', 'c1') });
    await s.play([
      { wait: 1_200, expect: { web: 'healthy' }, check: (st) => expect(st.context('web').persisted.restarts.recent).toBe(2) },
      { do: (st) => st.world.crash('web'), wait: 2_000, note: 'third restart in the window', expect: { web: 'healthy' },
        check: (st) => expect(st.context('web').persisted.restarts).toEqual({ total: 10, recent: 3 }) },
      { wait: 57_800, note: 'the two restored restarts left the window',
        check: (st) => expect(st.context('web').persisted.restarts.recent).toBe(1) },
      { do: (st) => st.world.crash('web'), wait: 3_500, note: 'so this crash is restarted (backoff 2 s), not given up', expect: { web: 'healthy' } },
    ]);
  });
});
