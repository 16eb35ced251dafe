// HuddleMetrics fed by the real charts' inspection stream, in simulated time: the state gauge,
// commit info, restarts, deploys and rollbacks as the app lifecycle stories play out.
import { afterEach, describe, expect, it } from 'vitest';
import { APP_STATES } from '../../src/metrics/index.js';
import { appSpec } from '../fixtures/machines/specs.js';
import { samplesOf, valueOf, type Exposition } from './exposition.js';
import { MetricsRun } from './metricsRun.js';

let current: MetricsRun | undefined;
afterEach(() => current?.stop());

async function begin(...args: ConstructorParameters<typeof MetricsRun>): Promise<MetricsRun> {
  current = await MetricsRun.start(...args);
  return current;
}

/** The state the gauge says the app is in; fails unless exactly one state is 1 and every other 0. */
function gaugeState(exposition: Exposition, app: string): string {
  const series = samplesOf(exposition, 'huddle_app_state', { app });
  expect(series.map((s) => s.labels.state).sort()).toEqual([...APP_STATES].sort());
  const on = series.filter((s) => s.value === 1);
  expect(series.every((s) => s.value === 0 || s.value === 1)).toBe(true);
  expect(on).toHaveLength(1);
  return on[0]!.labels.state!;
}

function deploys(exposition: Exposition, app: string): Record<string, number | undefined> {
  return {
    success: valueOf(exposition, 'huddle_deploys_total', { app, result: 'success' }),
    failure: valueOf(exposition, 'huddle_deploys_total', { app, result: 'failure' }),
    rollback: valueOf(exposition, 'huddle_deploys_total', { app, result: 'rollback' }),
    rollbacks: valueOf(exposition, 'huddle_rollbacks_total', { app }),
  };
}

function commits(exposition: Exposition, app: string): Array<[string | undefined, number]> {
  return samplesOf(exposition, 'huddle_app_commit_info', { app }).map((s) => [s.labels.commit, s.value]);
}

describe('app state and commit', () => {
  it('the state gauge is one-hot over every state of the chart and follows the app', async () => {
    expect(APP_STATES).toEqual(
      ['idle', 'waiting', 'fetching', 'waitingForRollout', 'stopping', 'updating', 'starting', 'healthy', 'unhealthy',
        'failed', 'stopped', 'off']);
    const run = await begin([appSpec('web'), appSpec('api')], { world: (w) => w.remote('web', 'c1').remote('api', 'a1') });
    expect(gaugeState(await run.exposition(), 'web')).toBe('fetching');
    await run.advance(700);
    expect(gaugeState(await run.exposition(), 'web')).toBe('updating');
    expect(commits(await run.exposition(), 'web')).toEqual([]);
    await run.advance(1_500);
    const healthy = await run.exposition();
    expect(gaugeState(healthy, 'web')).toBe('healthy');
    expect(gaugeState(healthy, 'api')).toBe('healthy');
    expect(commits(healthy, 'web')).toEqual([['c1', 1]]);
    expect(commits(healthy, 'api')).toEqual([['a1', 1]]);
  });

  it('a new commit replaces the old one in the commit info; each deploy counts once as a success', async () => {
    const run = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await run.advance(2_200);
    expect(deploys(await run.exposition(), 'web')).toEqual({ success: 0, failure: 0, rollback: 0, rollbacks: 0 });
    await run.advance(60_000);
    expect(deploys(await run.exposition(), 'web')).toMatchObject({ success: 1 });

    run.world.push('web', 'c2');
    await run.advance(12_500);
    const deployed = await run.exposition();
    expect(gaugeState(deployed, 'web')).toBe('healthy');
    expect(commits(deployed, 'web')).toEqual([['c2', 1]]);
    expect(deploys(deployed, 'web')).toMatchObject({ success: 1 });
    await run.advance(60_000);
    expect(deploys(await run.exposition(), 'web')).toEqual({ success: 2, failure: 0, rollback: 0, rollbacks: 0 });
    await run.advance(120_000);
    expect(deploys(await run.exposition(), 'web')).toEqual({ success: 2, failure: 0, rollback: 0, rollbacks: 0 });
    expect(valueOf(await run.exposition(), 'huddle_app_restarts_total', { app: 'web' })).toBe(0);
  });
});

describe('restarts', () => {
  it('counts every restart the policy orders, as the persisted total', async () => {
    const run = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await run.advance(2_200);
    run.world.crash('web');
    await run.advance(1);
    expect(gaugeState(await run.exposition(), 'web')).toBe('unhealthy');
    await run.advance(1_000 + 2_000);
    expect(valueOf(await run.exposition(), 'huddle_app_restarts_total', { app: 'web' })).toBe(1);
    run.world.crash('web');
    await run.advance(2_000 + 2_000);
    const after = await run.exposition();
    expect(valueOf(after, 'huddle_app_restarts_total', { app: 'web' })).toBe(2);
    expect(run.actor.system.get('web')?.getSnapshot().context.persisted.restarts.total).toBe(2);
    expect(deploys(after, 'web')).toMatchObject({ failure: 0, rollback: 0 });
  });

  it('an app restored with restarts starts its counter at the persisted total', async () => {
    const restored = { currentCommit: 'c1', lastGoodCommit: 'c1', remoteHead: 'c1', badCommits: [], restarts: { total: 7, recent: 0 } };
    const run = await begin([appSpec('web', { restored })], { world: (w) => w.remote('web', 'c1') });
    const first = await run.exposition();
    expect(valueOf(first, 'huddle_app_restarts_total', { app: 'web' })).toBe(7);
    expect(commits(first, 'web')).toEqual([['c1', 1]]);
    await run.advance(10_000);
    expect(gaugeState(await run.exposition(), 'web')).toBe('healthy');
    expect(deploys(await run.exposition(), 'web')).toEqual({ success: 0, failure: 0, rollback: 0, rollbacks: 0 });
  });
});

describe('deploy results', () => {
  it('a new commit that never becomes healthy is rolled back: one rollback, counted once', async () => {
    const run = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await run.advance(2_200);
    run.world.push('web', 'c2', { healthy: false });
    await run.advance(11_500 + 4_500 + 2_500);
    expect(gaugeState(await run.exposition(), 'web')).toBe('stopping');
    await run.advance(300 + 1_000 + 1_000);
    const back = await run.exposition();
    expect(gaugeState(back, 'web')).toBe('healthy');
    expect(commits(back, 'web')).toEqual([['c1', 1]]);
    // c1 served healthily until c2 replaced it: that made c1 the last good commit, a success.
    expect(deploys(back, 'web')).toEqual({ success: 1, failure: 0, rollback: 1, rollbacks: 1 });
    await run.advance(120_000);
    expect(deploys(await run.exposition(), 'web')).toEqual({ success: 1, failure: 0, rollback: 1, rollbacks: 1 });
  });

  it('a new commit healthy at first, then failing inside its probation: a rollback, never a success', async () => {
    const run = await begin([appSpec('web', { probationMs: 30_000 })], { world: (w) => w.remote('web', 'c1') });
    await run.advance(2_200);
    run.world.push('web', 'c2');
    await run.advance(12_500);
    const serving = await run.exposition();
    expect(gaugeState(serving, 'web')).toBe('healthy');
    expect(commits(serving, 'web')).toEqual([['c2', 1]]);
    expect(deploys(serving, 'web')).toEqual({ success: 1, failure: 0, rollback: 0, rollbacks: 0 });
    run.world.behave('web', 'c2', { healthy: false });
    await run.advance(3_000 + 2_300);
    const back = await run.exposition();
    expect(gaugeState(back, 'web')).toBe('healthy');
    expect(commits(back, 'web')).toEqual([['c1', 1]]);
    expect(deploys(back, 'web')).toEqual({ success: 1, failure: 0, rollback: 1, rollbacks: 1 });
    await run.advance(60_000);
    expect(deploys(await run.exposition(), 'web')).toEqual({ success: 1, failure: 0, rollback: 1, rollbacks: 1 });
  });

  it('an update that fails falls back to the last good commit: a rollback', async () => {
    const run = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1') });
    await run.advance(2_200);
    run.world.push('web', 'c2', { updateError: 'npm install failed' });
    await run.advance(10_000 + 200 + 300 + 1_000 + 1_000 + 1_000);
    const back = await run.exposition();
    expect(gaugeState(back, 'web')).toBe('healthy');
    expect(commits(back, 'web')).toEqual([['c1', 1]]);
    expect(deploys(back, 'web')).toEqual({ success: 1, failure: 0, rollback: 1, rollbacks: 1 });
  });

  it('a first deploy that cannot be updated fails the app: a failure for each attempt', async () => {
    const run = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1').behave('web', 'c1', { updateError: 'disk full' }) });
    await run.advance(2_000);
    const failed = await run.exposition();
    expect(gaugeState(failed, 'web')).toBe('failed');
    expect(commits(failed, 'web')).toEqual([]);
    expect(deploys(failed, 'web')).toEqual({ success: 0, failure: 1, rollback: 0, rollbacks: 0 });
    // Nothing usable is checked out: every poll of the failed app tries the update again.
    await run.advance(60_000);
    const attempts = run.world.updates.filter((u) => !u.ok).length;
    expect(attempts).toBeGreaterThan(1);
    expect(deploys(await run.exposition(), 'web')).toEqual({ success: 0, failure: attempts, rollback: 0, rollbacks: 0 });
  });
});

describe('apps that go away', () => {
  it('an app removed from the supervisor loses every series; the others keep theirs; re-added it comes back', async () => {
    const run = await begin([appSpec('web'), appSpec('api')], { world: (w) => w.remote('web', 'c1').remote('api', 'a1') });
    await run.advance(2_200);
    run.actor.send({ type: 'APP.REMOVE', app: 'web' });
    await run.advance(1_000);
    const removed = await run.exposition();
    expect(removed.samples.filter((s) => s.labels.app === 'web')).toEqual([]);
    expect(gaugeState(removed, 'api')).toBe('healthy');
    expect(commits(removed, 'api')).toEqual([['a1', 1]]);

    run.actor.send({ type: 'APP.ADD', spec: appSpec('web') });
    await run.advance(2_200);
    const back = await run.exposition();
    expect(gaugeState(back, 'web')).toBe('healthy');
    expect(commits(back, 'web')).toEqual([['c1', 1]]);
  });

  it('forget() drops the series and ignores the forgotten actor from then on', async () => {
    const run = await begin([appSpec('web'), appSpec('api')], { world: (w) => w.remote('web', 'c1').remote('api', 'a1'), timed: true });
    await run.advance(2_200);
    expect(valueOf(await run.exposition(), 'huddle_poll_duration_seconds_count', { app: 'web' })).toBe(1);
    run.metrics.forget('web');
    expect((await run.exposition()).samples.filter((s) => s.labels.app === 'web')).toEqual([]);
    await run.advance(30_000);
    const later = await run.exposition();
    expect(later.samples.filter((s) => s.labels.app === 'web')).toEqual([]);
    expect(valueOf(later, 'huddle_poll_duration_seconds_count', { app: 'api' })).toBeGreaterThan(1);
  });
});

describe('timing wrappers called by the effects', () => {
  it('record every poll and health check with its duration, errors and failures', async () => {
    const run = await begin([appSpec('web')], { world: (w) => w.remote('web', 'c1'), timed: true });
    await run.advance(2_200);
    const first = await run.exposition();
    expect(valueOf(first, 'huddle_poll_duration_seconds_count', { app: 'web' })).toBe(1);
    expect(valueOf(first, 'huddle_poll_duration_seconds_sum', { app: 'web' })).toBeCloseTo(0.2);
    expect(valueOf(first, 'huddle_poll_duration_seconds_bucket', { app: 'web', le: '0.1' })).toBe(0);
    expect(valueOf(first, 'huddle_poll_duration_seconds_bucket', { app: 'web', le: '0.25' })).toBe(1);
    expect(valueOf(first, 'huddle_poll_errors_total', { app: 'web' })).toBe(0);
    const checks = run.world.checks.filter((c) => c.app === 'web').length;
    expect(checks).toBeGreaterThan(0);
    expect(valueOf(first, 'huddle_health_check_duration_seconds_count', { app: 'web' })).toBe(checks);
    expect(valueOf(first, 'huddle_health_check_failures_total', { app: 'web' })).toBe(0);

    run.world.breakRemote('web');
    await run.advance(10_500);
    const unreachable = await run.exposition();
    expect(valueOf(unreachable, 'huddle_poll_duration_seconds_count', { app: 'web' })).toBe(2);
    expect(valueOf(unreachable, 'huddle_poll_errors_total', { app: 'web' })).toBe(1);

    run.world.behave('web', 'c1', { healthy: false });
    await run.advance(3_500);
    const failing = await run.exposition();
    const failed = run.world.checks.filter((c) => c.app === 'web' && !c.ok).length;
    expect(failed).toBe(3);
    expect(gaugeState(failing, 'web')).toBe('unhealthy');
    expect(valueOf(failing, 'huddle_health_check_failures_total', { app: 'web' })).toBe(failed);
    expect(valueOf(failing, 'huddle_health_check_duration_seconds_count', { app: 'web' }))
      .toBe(run.world.checks.filter((c) => c.app === 'web').length);
  });
});
