// Mermaid stateDiagram-v2 of a machine definition. Mermaid cannot draw a transition between states
// nested in two different composite states, so such a transition is drawn between their nearest
// ancestors that share a parent, and its label names the nested states it really connects.
import type { AnyStateMachine } from 'xstate';
import { chartOf, type ChartState, type ChartTransition } from './chartModel.js';

const ANY = 'any_state';

export function toMermaid(machine: AnyStateMachine): string {
  const chart = chartOf(machine);
  const states = new Map<string, ChartState>();
  const parents = new Map<string, ChartState>();
  const index = (state: ChartState) => {
    states.set(state.id, state);
    for (const child of state.children) {
      parents.set(child.id, state);
      index(child);
    }
  };
  index(chart.root);

  const ancestry = (state: ChartState): ChartState[] => {
    const chain = [state];
    for (let p = parents.get(state.id); p; p = parents.get(p.id)) chain.unshift(p);
    return chain;
  };
  const edges = new Map<string, string[]>();
  const notes = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, line: string) => {
    const list = map.get(key) ?? [];
    if (!list.includes(line)) list.push(line);
    map.set(key, list);
  };

  for (const transition of chart.transitions) {
    const source = states.get(transition.source);
    if (!source) continue;
    // Reactions that change no state are listed beside the state that has them (simple states only:
    // mermaid attaches notes to those); the json format has every one.
    if (transition.targets.length === 0 && (source === chart.root || source.children.length === 0)) {
      add(notes, source === chart.root ? ANY : source.id, labelOf(transition));
    }
    for (const targetId of transition.targets) {
      const target = states.get(targetId);
      if (!target) continue;
      const from = ancestry(source);
      const to = ancestry(target);
      const label = labelOf(transition);
      if (to.includes(source) && target !== source) {
        // A compound state (or the whole chart) entering one of its own descendants, from any child.
        const top = to[1] ?? target;
        const inner = relative(top, target);
        if (source === chart.root) add(edges, chart.root.id, `${ANY} --> ${idOf(top)} : ${clean(inner ? `${label} (→ ${inner})` : label)}`);
        else add(notes, (to[from.length] ?? target).id, `${label} from any ${source.key} state`);
        continue;
      }
      let depth = 0;
      while (from[depth + 1] !== undefined && from[depth + 1] === to[depth + 1] && from[depth + 1] !== source && from[depth + 1] !== target) depth += 1;
      const container = from[depth] ?? chart.root;
      const a = from[depth + 1] ?? source;
      const b = to[depth + 1] ?? target;
      const detail = a !== source || b !== target ? ` (${relative(a, source)} → ${relative(b, target)})`.replace('( →', '(→').replace(' → )', ' →)') : '';
      add(edges, container.id, `${idOf(a)} --> ${idOf(b)} : ${clean(label + detail)}`);
    }
  }

  const lines = ['stateDiagram-v2'];
  if (chart.transitions.some((t) => t.source === chart.root.id)) {
    lines.push(`  state "any state" as ${ANY}`);
    const anyNotes = notes.get(ANY);
    if (anyNotes) lines.push(`  note right of ${ANY} : ${clean(`also ${anyNotes.join(', ')}`)}`);
  }
  const render = (state: ChartState, indent: string) => {
    if (state.initial !== null) {
      const initial = state.children.find((child) => child.key === state.initial);
      if (initial) lines.push(`${indent}[*] --> ${idOf(initial)}`);
    }
    for (const child of state.children) {
      const id = idOf(child);
      if (child.children.length > 0) {
        lines.push(`${indent}state ${id} {`);
        render(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}" as ${id}`);
      }
      if (child.invokes.length > 0 && child.children.length === 0) lines.push(`${indent}${id} : invoke ${child.invokes.join(', ')}`);
      const childNotes = notes.get(child.id);
      if (childNotes && child.children.length === 0) lines.push(`${indent}note right of ${id} : ${clean(`also ${childNotes.join(', ')}`)}`);
      if (child.type === 'final') lines.push(`${indent}${id} --> [*]`);
    }
    for (const edge of edges.get(state.id) ?? []) lines.push(`${indent}${edge}`);
  };
  render(chart.root, '  ');
  return `${lines.join('\n')}\n`;
}

/** Mermaid ids: the path, joined with underscores. Top-level states keep their own names. */
export function idOf(state: ChartState): string {
  return state.path.join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

function relative(ancestor: ChartState, state: ChartState): string {
  return state.path.slice(ancestor.path.length).join('.');
}

function labelOf(transition: ChartTransition): string {
  return transition.guard === null ? transition.event : `${transition.event} [${transition.guard}]`;
}

/** Keeps labels inside what mermaid parses: no colons, semicolons, hashes or ampersands. */
function clean(text: string): string {
  return text.replace(/&&/g, 'and').replace(/\|\|/g, 'or').replace(/[:;#&]/g, ' ').replace(/\s+/g, ' ').trim();
}
