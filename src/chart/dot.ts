// Graphviz dot of a machine definition: compound states are clusters; a transition to or from a
// compound state is drawn to its initial leaf, clipped at the cluster's border.
import type { AnyStateMachine } from 'xstate';
import { chartOf, type ChartState } from './chartModel.js';

export function toDot(machine: AnyStateMachine): string {
  const chart = chartOf(machine);
  const states = new Map<string, ChartState>();
  const index = (state: ChartState) => {
    states.set(state.id, state);
    state.children.forEach(index);
  };
  index(chart.root);
  const q = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const isCluster = (state: ChartState) => state.children.length > 0;
  /** The leaf a compound state is entered through. */
  const anchor = (state: ChartState): ChartState => {
    const initial = state.children.find((child) => child.key === state.initial) ?? state.children[0];
    return initial ? anchor(initial) : state;
  };

  const lines = [
    `digraph ${q(chart.id)} {`,
    '  compound=true; rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const render = (state: ChartState, indent: string) => {
    if (state.initial !== null) {
      const start = `${state.id}.__initial`;
      lines.push(`${indent}${q(start)} [shape=point, label=""];`);
      const initial = state.children.find((child) => child.key === state.initial);
      if (initial) lines.push(`${indent}${q(start)} -> ${q(anchor(initial).id)}${isCluster(initial) ? ` [lhead=${q(`cluster_${initial.id}`)}]` : ''};`);
    }
    for (const child of state.children) {
      if (isCluster(child)) {
        lines.push(`${indent}subgraph ${q(`cluster_${child.id}`)} {`, `${indent}  label=${q(child.key)}; style=rounded;`);
        render(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        const label = child.invokes.length > 0 ? `${child.key}\\ninvoke ${child.invokes.join(', ')}` : child.key;
        const shape = child.type === 'final' ? ', shape=doublecircle' : '';
        lines.push(`${indent}${q(child.id)} [label=${q(label).replace(/\\\\n/g, '\\n')}${shape}];`);
      }
    }
  };
  render(chart.root, '  ');
  const any = `${chart.root.id}.__any`;
  if (chart.transitions.some((t) => t.source === chart.root.id && t.targets.length > 0)) {
    lines.push(`  ${q(any)} [label="any state", shape=plaintext];`);
  }
  for (const transition of chart.transitions) {
    const source = states.get(transition.source);
    if (!source) continue;
    for (const targetId of transition.targets) {
      const target = states.get(targetId);
      if (!target) continue;
      const attributes = [`label=${q(transition.guard === null ? transition.event : `${transition.event} [${transition.guard}]`)}`];
      let from = source.id;
      if (source === chart.root) from = any;
      else if (isCluster(source)) {
        from = anchor(source).id;
        attributes.push(`ltail=${q(`cluster_${source.id}`)}`);
      }
      if (isCluster(target)) attributes.push(`lhead=${q(`cluster_${target.id}`)}`);
      lines.push(`  ${q(from)} -> ${q(anchor(target).id)} [${attributes.join(', ')}];`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
