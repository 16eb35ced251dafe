// Renderings of the charts, derived from the machine definitions themselves.
import type { AnyStateMachine } from 'xstate';
import { toDot } from './dot.js';
import { toMermaid } from './mermaid.js';

export { chartOf, statesOf, type Chart, type ChartState, type ChartTransition } from './chartModel.js';
export { toDot } from './dot.js';
export { toMermaid } from './mermaid.js';

export const chartFormats = ['mermaid', 'json', 'dot'] as const;
export type ChartFormat = (typeof chartFormats)[number];

/** `json` is the machine's own `toJSON()` definition. */
export function renderChart(machine: AnyStateMachine, format: ChartFormat): string {
  if (format === 'json') return `${JSON.stringify(machine.toJSON(), null, 2)}\n`;
  if (format === 'dot') return toDot(machine);
  return toMermaid(machine);
}
