// The pure maths and decisions the charts' named delays, guards and actions are built on.
import { describe, expect, it } from 'vitest';
import { chooseDeployTarget, initialAppContext } from '../../machines/app.context.js';
import type { AppContext, AppPersisted } from '../../machines/app.types.js';
import { backoffBaseMs, backoffDelayMs, jitteredMs, pollDelayMs } from '../../machines/backoff.js';
import { dependencyOrder, findDependencyCycle } from '../../machines/dependencies.js';
import { decide, type UnhealthyReport } from '../../machines/restartPolicy.js';
import { appSpec } from '../fixtures/machines/specs.js';

const backoff = { initialMs: 1_000, factor: 2, maxMs: 30_000, jitter: 0.25, resetAfterMs: 60_000 };

describe('backoff and poll delays', () => {
  it('grows by factor from initial and is capped at max', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 5_000].map((n) => backoffBaseMs(backoff, n)))
      .toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('with `first`, the first restart after a stable run waits that, the next ones initial · factor^(n-1)', () => {
    expect([0, 1, 2, 3, 50].map((n) => backoffBaseMs({ ...backoff, firstMs: 0 }, n))).toEqual([0, 1_000, 2_000, 4_000, 30_000]);
    expect(backoffBaseMs({ ...backoff, firstMs: 99_000 }, 0)).toBe(30_000);
  });

  it('jitter takes at most its fraction off, never adds', () => {
    expect(jitteredMs(8_000, 0.25, 0)).toBe(8_000);
    expect(jitteredMs(8_000, 0.25, 0.5)).toBe(7_000);
    expect(jitteredMs(8_000, 0.25, 0.999_999)).toBe(6_000);
    expect(jitteredMs(8_000, 3, 1)).toBe(0);
    expect(backoffDelayMs(backoff, 10, 0)).toBe(30_000);
  });

  it('poll delays are spread over [minimum, maximum]', () => {
    expect([0, 0.5, 1].map((r) => pollDelayMs(10_000, 20_000, r))).toEqual([10_000, 15_000, 20_000]);
    expect(pollDelayMs(20_000, 10_000, 0)).toBe(10_000);
  });
});

describe('restart decisions', () => {
  const report = (patch: Partial<UnhealthyReport> = {}): UnhealthyReport => ({
    type: 'APP.UNHEALTHY', app: 'web', incident: 1, commit: 'c2', recentRestarts: 0, streak: 0, probation: false,
    failure: { cause: 'exited', code: 1, signal: null, detail: 'process exited with code 1' },
    ...patch,
  });
  const spec = appSpec('web').restart;
  const health = { cause: 'health' as const, code: null, signal: null, detail: 'health check failing: HTTP 503' };

  it.each([
    ['a crash', spec, report(), 'restart'],
    ['a crash past the budget', spec, report({ recentRestarts: 5 }), 'give-up'],
    ['a crash loop on probation', spec, report({ recentRestarts: 5, probation: true }), 'rollback'],
    ['one crash on probation', spec, report({ probation: true }), 'restart'],
    ['unhealthy on probation', spec, report({ probation: true, failure: health }), 'rollback'],
    ['a clean exit, on-failure', { ...spec, policy: 'on-failure' as const }, report({ failure: { ...report().failure, code: 0 } }), 'keep-stopped'],
    ['a failure, on-failure', { ...spec, policy: 'on-failure' as const }, report(), 'restart'],
    ['a clean exit, always', spec, report({ failure: { ...report().failure, code: 0 } }), 'restart'],
    ['a failure, never', { ...spec, policy: 'never' as const }, report(), 'give-up'],
    ['a failure on probation, never', { ...spec, policy: 'never' as const }, report({ probation: true }), 'rollback'],
  ])('%s → %s', (_what, restart, unhealthy, kind) => {
    expect(decide(restart, unhealthy).kind).toBe(kind);
  });
});

describe('which commit to deploy after a fetch', () => {
  const context = (persisted: Partial<AppPersisted>, patch: Partial<AppContext> = {}): AppContext => {
    const base = initialAppContext(appSpec('web'));
    return { ...base, ...patch, persisted: { ...base.persisted, ...persisted } };
  };
  const running = { currentCommit: 'c1', lastGoodCommit: 'c1', remoteHead: 'c1' };

  it.each([
    ['first deploy', {}, {}, 'c1', 'c1'],
    ['no change', running, {}, 'c1', null],
    ['a new commit', running, {}, 'c2', 'c2'],
    ['a quarantined head', { ...running, badCommits: ['c2'] }, {}, 'c2', null],
    ['a head already seen (operator deployed an older one)', { ...running, currentCommit: 'c0', remoteHead: 'c1' }, {}, 'c1', null],
    ['an explicit deploy of a quarantined commit', { ...running, badCommits: ['c2'] }, { fetchTarget: 'c2' }, 'c2', 'c2'],
    ['an explicit deploy of what runs', running, { fetchTarget: 'c1' }, 'c1', null],
    ['a failed first update, same head', { currentCommit: null, remoteHead: 'c1' }, {}, 'c1', 'c1'],
    ['an interrupted update, head quarantined', { currentCommit: null, lastGoodCommit: 'c1', remoteHead: 'c2', badCommits: ['c2'] }, {}, 'c2', 'c1'],
    ['a quarantined checkout (rollback cut short)', { currentCommit: 'c2', lastGoodCommit: 'c1', remoteHead: 'c2', badCommits: ['c2'] }, {}, 'c2', 'c1'],
    ['nothing deployable', { currentCommit: null, remoteHead: 'c2', badCommits: ['c2'] }, {}, 'c2', null],
  ])('%s', (_what, persisted, patch, fetched, expected) => {
    expect(chooseDeployTarget(context(persisted, patch), fetched)).toBe(expected);
  });
});

describe('dependency order', () => {
  const nodes = [
    { name: 'worker', depends: ['web', 'db'] },
    { name: 'web', depends: ['db'] },
    { name: 'db', depends: [] },
    { name: 'lonely', depends: ['missing'] },
  ];

  it('puts dependencies first; unknown dependencies do not block the order', () => {
    expect(dependencyOrder(nodes)).toEqual(['db', 'lonely', 'web', 'worker']);
  });

  it('finds a cycle, and puts its members last', () => {
    const cyclic = [...nodes, { name: 'a', depends: ['b'] }, { name: 'b', depends: ['c'] }, { name: 'c', depends: ['a'] }];
    expect(findDependencyCycle(nodes)).toBeNull();
    expect(findDependencyCycle(cyclic)).toEqual(['a', 'b', 'c', 'a']);
    expect(dependencyOrder(cyclic).slice(-3)).toEqual(['a', 'b', 'c']);
  });
});
