// A neutral picture of a machine definition (states and transitions), read from the machine object
// itself so that every rendering (mermaid, dot) shows the chart as it is, never a hand-written copy.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface ChartState {
  /** xstate's id: `app.fetching.beforeStart`. */
  id: string;
  key: string;
  /** Keys from the root (excluded) down to this state. */
  path: string[];
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Key of the initial child, for compound states. */
  initial: string | null;
  children: ChartState[];
  /** Actors invoked while in this state. */
  invokes: string[];
}

export interface ChartTransition {
  source: string;
  /** Target state ids; empty for a transition that stays (actions only). */
  targets: string[];
  /** Readable event: `START`, `after(pollDelay)`, `done(fetch)`, `error(fetch)`, `always`. */
  event: string;
  guard: string | null;
  /** Re-enters its source (exit and entry actions run again). */
  reenter: boolean;
}

export interface Chart {
  id: string;
  root: ChartState;
  transitions: ChartTransition[];
}

export function chartOf(machine: AnyStateMachine): Chart {
  const transitions: ChartTransition[] = [];
  const visit = (node: AnyStateNode): ChartState => {
    for (const transition of [...[...node.transitions.values()].flat(), ...(node.always ?? [])]) {
      transitions.push(describe(node, transition));
    }
    return {
      id: node.id,
      key: node.key,
      path: node.path,
      type: node.type,
      initial: node.type === 'compound' ? initialKey(node) : null,
      children: Object.values(node.states).map(visit),
      invokes: node.invoke.map((invoke) => (typeof invoke.src === 'string' ? invoke.src : invoke.id)),
    };
  };
  const root = visit(machine.root);
  return { id: machine.id, root, transitions };
}

/** Every state of the chart, root excluded, depth first. */
export function statesOf(chart: Chart): ChartState[] {
  const all: ChartState[] = [];
  const walk = (state: ChartState) => {
    for (const child of state.children) {
      all.push(child);
      walk(child);
    }
  };
  walk(chart.root);
  return all;
}

function initialKey(node: AnyStateNode): string | null {
  const [target] = node.initial?.target ?? [];
  return target?.key ?? null;
}

function describe(node: AnyStateNode, transition: AnyTransitionDefinition): ChartTransition {
  return {
    source: node.id,
    targets: (transition.target ?? []).map((target) => target.id),
    event: eventLabel(transition.eventType, node.id),
    guard: transition.guard === undefined ? null : guardLabel(transition.guard),
    reenter: transition.reenter,
  };
}

export function eventLabel(eventType: string, sourceId: string): string {
  if (eventType === '') return 'always';
  const after = /^xstate\.after\.(.+)$/.exec(eventType);
  if (after?.[1] !== undefined) {
    const delay = after[1].endsWith(`.${sourceId}`) ? after[1].slice(0, -sourceId.length - 1) : after[1];
    return `after(${/^\d+$/.test(delay) ? `${delay} ms` : delay})`;
  }
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (actor?.[1] !== undefined && actor[2] !== undefined) return `${actor[1]}(${actor[2]})`;
  return eventType;
}

function guardLabel(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    // xstate's and()/or()/not() are functions carrying the guards they combine.
    const parts = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(parts)) {
      const labels = parts.map(guardLabel);
      if (guard.name === 'not') return `!${labels[0] ?? ''}`;
      return labels.join(guard.name === 'or' ? ' || ' : ' && ');
    }
    return guard.name || 'inline guard';
  }
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}
