// Model-based test of the application chart: xstate/graph walks every state reachable with the
// events the world can send, the walk must take every transition of the definition (so none is
// dead or untested), every reachable state must keep the chart's invariants, and a set of shortest
// paths covering all transitions is replayed on live actors, which must follow the model exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { createActor, createEmptyActor, type EventObject } from 'xstate';
import type { StatePath } from 'xstate/graph';
import { MAX_BAD_COMMITS } from '../../machines/app.context.js';
import { topLevelState } from '../../machines/appStatus.js';
import { abstractState, modelEvents, modelInputs, modelMachine, type ModelSnapshot } from '../fixtures/machines/appModel.js';
import { allStateNodes, allTransitions, describeTransition, walk, type Walk } from '../fixtures/machines/coverage.js';
import { TestClock } from '../fixtures/machines/testClock.js';

const walks = new Map<string, Walk<ModelSnapshot>>();

beforeAll(() => {
  for (const [name, input] of Object.entries(modelInputs)) {
    walks.set(name, walk<ModelSnapshot>(modelMachine, { input, events: modelEvents, serializeState: abstractState }));
  }
});

function invariantViolations(snapshot: ModelSnapshot): string[] {
  const { context: c } = snapshot;
  const top = topLevelState(snapshot.value);
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => { if (!ok) problems.push(what); };
  check(snapshot.status !== 'error', 'the chart errored');
  check(c.processAlive === (snapshot.children.process !== undefined), 'processAlive matches the process child');
  check(!['idle', 'waiting', 'stopped', 'failed', 'updating', 'off'].includes(top) || !c.processAlive, `no process in ${top}`);
  check(top !== 'healthy' || c.spec.process === null || c.processAlive, 'a healthy app with a process has it alive');
  // `waitingForRollout.halted` is the passing moment after the plan was dropped.
  const planDropped = snapshot.matches({ waitingForRollout: 'halted' });
  check(!['updating', 'waitingForRollout'].includes(top) || planDropped || c.targetCommit !== null, `${top} knows its target commit`);
  check(!['starting', 'healthy'].includes(top) || c.persisted.currentCommit !== null, `${top} runs a known commit`);
  check(c.persisted.lastGoodCommit === null || !c.persisted.badCommits.includes(c.persisted.lastGoodCommit), 'last good is not quarantined');
  check(c.persisted.badCommits.length <= MAX_BAD_COMMITS, 'quarantine is bounded');
  check(c.pid === null || c.processAlive, 'a pid only while a process is alive');
  check(Object.keys(snapshot.children).length <= 2, 'at most the process and one effect run');
  check(JSON.stringify(JSON.parse(JSON.stringify(c))) === JSON.stringify(c), 'context is plain data');
  return problems;
}

describe('application chart, model-based', () => {
  it('reaches every state node of the definition', () => {
    const visited = new Set([...walks.values()].flatMap((w) => [...w.visitedNodes]));
    const missing = allStateNodes(modelMachine).map((node) => node.id).filter((id) => !visited.has(id));
    expect(missing).toEqual([]);
  });

  it('takes every transition of the definition', () => {
    const used = new Set([...walks.values()].flatMap((w) => [...w.used.keys()]));
    const untaken = allTransitions(modelMachine).filter((t) => !used.has(t)).map(describeTransition);
    expect(untaken).toEqual([]);
    expect(used.size).toBeGreaterThan(100);
  });

  it('keeps its invariants in every reachable state', () => {
    let states = 0;
    for (const [name, w] of walks) {
      for (const [serial, snapshot] of w.reached) {
        states += 1;
        const problems = invariantViolations(snapshot);
        if (problems.length > 0) throw new Error(`${name}: ${serial}: ${problems.join('; ')}`);
      }
    }
    expect(states).toBeGreaterThan(1000);
  });

  it('replays a covering set of shortest paths on live actors, which follow the model', () => {
    let replayed = 0;
    for (const [name, w] of walks) {
      const pathTo = new Map<string, StatePath<ModelSnapshot, EventObject>>();
      for (const path of w.paths) pathTo.set(abstractState(path.state), path);
      // One path per transition: the shortest path to the state it was first taken in, plus its event.
      const plans = new Map<string, EventObject[]>();
      for (const [, use] of w.used) {
        const head = pathTo.get(use.from);
        if (!head) continue;
        const events = [...head.steps.slice(1).map((step) => step.event), use.event];
        plans.set(JSON.stringify(events), events);
      }
      for (const events of plans.values()) {
        replay(name, events);
        replayed += 1;
      }
    }
    expect(replayed).toBeGreaterThan(50);
  });
});

/** Sends `events` to a live actor (real spawning, timers on a clock that never moves) step by step. */
function replay(inputName: string, events: EventObject[]): void {
  const input = modelInputs[inputName];
  const actor = createActor(modelMachine, { input, clock: new TestClock() });
  const scope = modelScope();
  actor.start();
  try {
    let expected = modelMachine.getInitialSnapshot(scope, input);
    for (const event of events) {
      expected = modelMachine.transition(expected, event as never, scope);
      actor.send(event as never);
      const live = actor.getSnapshot();
      const where = `${inputName}: after ${events.map((e) => e.type).join(' → ')}`;
      expect(abstractState(live), where).toBe(abstractState(expected));
      expect(invariantViolations(live), where).toEqual([]);
    }
  } finally {
    actor.stop();
  }
}

// The model's next snapshot comes from the pure `transition`, in a scope of its own whose effects do
// nothing (as in xstate/graph's traversal); the live actor runs the real ones.
function modelScope(): never {
  const self = createEmptyActor();
  return {
    self, id: 'model', sessionId: 'model', logger: () => {}, defer: () => {}, system: self.system,
    stopChild: () => {}, emit: () => {}, actionExecutor: () => {},
  } as never;
}
