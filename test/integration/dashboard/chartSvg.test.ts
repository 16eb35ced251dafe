// The app chart as the dashboard draws it: every top-level state once, boxes apart, real moves.
import { describe, expect, it } from 'vitest';
import { appMachine } from '../../../machines/index.js';
import { chartOf } from '../../../src/chart/chartModel.js';
import { chartSvg, layoutChart, MAIN_FLOW } from '../../../src/dashboard/index.js';

describe('the dashboard chart', () => {
  const chart = chartOf(appMachine);
  const layout = layoutChart(chart);

  it('places every top-level state of the app chart once, the main flow in order on the first row', () => {
    expect(layout.states.map((s) => s.key).sort()).toEqual(chart.root.children.map((s) => s.key).sort());
    const firstRow = layout.states.filter((s) => s.row === 0).sort((a, b) => a.col - b.col).map((s) => s.key);
    expect(firstRow).toEqual(MAIN_FLOW);
    const cells = new Set(layout.states.map((s) => `${s.row}:${s.col}`));
    expect(cells.size).toBe(layout.states.length);
    for (const s of layout.states) expect(s.x + 100).toBeLessThanOrEqual(layout.width);
  });

  it('draws the moves between top-level states, each once, never from a state to itself', () => {
    const edges = layout.edges.map((e) => `${e.from}>${e.to}`);
    expect(edges).toEqual(expect.arrayContaining(['idle>fetching', 'fetching>stopping', 'stopping>updating', 'updating>starting', 'starting>healthy', 'healthy>fetching']));
    expect(new Set(edges).size).toBe(edges.length);
    expect(layout.edges.every((e) => e.from !== e.to)).toBe(true);
  });

  it('renders SVG with one highlightable group per state', () => {
    const svg = chartSvg(chart);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<g class="state" data-state="/g)?.length).toBe(layout.states.length);
    expect(svg.match(/<path class="edge"/g)?.length).toBe(layout.edges.length);
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
