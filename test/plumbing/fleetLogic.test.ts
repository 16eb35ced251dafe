// The fleet's pure decisions: when a rollout slot is given back, control keys, and the
// confirmation `huddle fleet wait` prints.
import { describe, expect, it } from 'vitest';
import { confirmation, formatConfirmation, isConfirmed } from '../../src/fleet/confirmation.js';
import { applyControl, emptyControl } from '../../src/fleet/fleetControl.js';
import { haltedCommitKey, parseControlKey, pinKey } from '../../src/fleet/keys.js';
import { updateIsOver } from '../../src/fleet/rolloutGate.js';

const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const persisted = (currentCommit: string | null) => ({
  currentCommit, lastGoodCommit: C1, remoteHead: C2, badCommits: [], restarts: { total: 0, recent: 0 },
});

describe('a rollout slot is held', () => {
  it('until the app is healthy on the commit past probation, or off it', () => {
    const onProbation = { persisted: persisted(C2), probation: { commit: C2, status: 'running' as const } };
    expect(updateIsOver('stopping', { persisted: persisted(C1), probation: null }, C2)).toBe(false);
    expect(updateIsOver('starting', onProbation, C2)).toBe(false);
    expect(updateIsOver('healthy', onProbation, C2)).toBe(false);
    expect(updateIsOver('unhealthy', onProbation, C2)).toBe(false);
    expect(updateIsOver('fetching', onProbation, C2)).toBe(false);
    expect(updateIsOver('healthy', { persisted: persisted(C2), probation: null }, C2)).toBe(true);
    expect(updateIsOver('healthy', { persisted: persisted(C1), probation: null }, C2)).toBe(true);
    for (const state of ['failed', 'stopped', 'off']) expect(updateIsOver(state, onProbation, C2)).toBe(true);
  });
});

describe('control keys', () => {
  it('parse only their own app, and never a forged path', () => {
    expect(parseControlKey('huddle', 'web', pinKey('huddle', 'web'))).toEqual({ kind: 'pin' });
    expect(parseControlKey('huddle', 'web', haltedCommitKey('huddle', 'web', C2))).toEqual({ kind: 'halted', commit: C2 });
    expect(parseControlKey('huddle', 'web', pinKey('huddle', 'web/control/pin'))).toBeUndefined();
    expect(parseControlKey('huddle', 'web', 'huddle/apps/web/control/other')).toBeUndefined();
  });

  it('a mangled value counts as absent', () => {
    const control = emptyControl();
    applyControl(control, 'huddle', 'web', pinKey('huddle', 'web'), '{"ref":"v1","at":"t"}');
    expect(control.pin).toEqual({ ref: 'v1', at: 't' });
    applyControl(control, 'huddle', 'web', pinKey('huddle', 'web'), 'not json');
    expect(control.pin).toBeNull();
    applyControl(control, 'huddle', 'web', haltedCommitKey('huddle', 'web', C2), '{"reason":"r","at":"t"}');
    expect(control.halted.get(C2)).toEqual({ commit: C2, reason: 'r', at: 't', nodes: [] });
    applyControl(control, 'huddle', 'web', haltedCommitKey('huddle', 'web', C2), undefined);
    expect(control.halted.size).toBe(0);
  });
});

describe('fleet wait', () => {
  const record = (node: string, state: string, commit: string | null) => ({ node, app: 'web', state, commit, since: 't' });

  it('confirms once every live node is healthy on the commit (abbreviated), and at least N of them', () => {
    const all = [record('a', 'healthy', C2), record('b', 'healthy', C2), record('x', 'healthy', C1)].map((r, i) => (i === 2 ? { ...r, app: 'other' } : r));
    const c = confirmation('web', C2.slice(0, 9), all, 2, []);
    expect(isConfirmed(c)).toBe(true);
    expect(formatConfirmation(c, 4_210)).toBe(`web: ${C2.slice(0, 9)} is healthy on 2/2 live node(s), confirmed after 4.2 s\n  a  healthy since t\n  b  healthy since t\n`);
    expect(isConfirmed(confirmation('web', C2, all, 3, []))).toBe(false);
  });

  it('names the laggards, and a halted commit', () => {
    const c = confirmation('web', C2, [record('a', 'healthy', C2), record('b', 'waitingForRollout', C1)], 1,
      [{ commit: C2, reason: 'rolled back on 3 node(s)', at: 't', nodes: [] }]);
    expect(isConfirmed(c)).toBe(false);
    expect(formatConfirmation(c, 1_000)).toBe([
      `web: ${C2.slice(0, 12)} is halted fleet-wide: rolled back on 3 node(s)`,
      `web: ${C2.slice(0, 12)} is healthy on 1/2 live node(s) after 1.0 s`,
      'laggards:',
      `  b  waitingForRollout on ${C1.slice(0, 12)} since t`,
      '',
    ].join('\n'));
  });
});
