import type { Chart, ChartState } from '../chart/chartModel.js';

// The app chart as inline SVG for the dashboard: one box per top-level state (the `state` of
// `huddle status`), the main flow of a deploy on the first row and every other state below, with
// arrows for the transitions between top-level states. Drawn from the chart model, so a state
// added to the machine shows up without touching this file.

/** The path a deploy takes, left to right; states of the chart not named here go on the second row. */
export const MAIN_FLOW = ['idle', 'fetching', 'stopping', 'updating', 'starting', 'healthy'];

const BOX_W = 120;
const BOX_H = 46;
const GAP_X = 24;
const GAP_Y = 80;
const MARGIN_X = 12;
/** Room above the first row and below the second for the arcs between states of one row. */
const ARC_ROOM = 50;
const ARROW_ID = 'huddle-chart-arrow';

export interface PlacedState {
  key: string;
  /** Sub-states, as a hint of what the box holds. */
  children: string[];
  row: number;
  col: number;
  x: number;
  y: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  states: PlacedState[];
  /** Distinct moves between top-level states (source key → target key). */
  edges: Array<{ from: string; to: string }>;
}

export function layoutChart(chart: Chart): ChartLayout {
  const tops = chart.root.children;
  const main = MAIN_FLOW.filter((key) => tops.some((s) => s.key === key));
  const rest = tops.filter((s) => !main.includes(s.key)).map((s) => s.key);
  const columns = Math.max(main.length, rest.length, 1);
  const place = (state: ChartState): PlacedState => {
    const row = main.includes(state.key) ? 0 : 1;
    const col = row === 0 ? main.indexOf(state.key) : rest.indexOf(state.key);
    return {
      key: state.key,
      children: state.children.map((c) => c.key),
      row,
      col,
      x: MARGIN_X + col * (BOX_W + GAP_X),
      y: ARC_ROOM + row * (BOX_H + GAP_Y),
    };
  };
  const states = tops.map(place);

  const topOf = (id: string): string | undefined => id.split('.')[1];
  const seen = new Set<string>();
  const edges: ChartLayout['edges'] = [];
  for (const transition of chart.transitions) {
    const from = topOf(transition.source);
    for (const target of transition.targets) {
      const to = topOf(target);
      // From the root (SHUTDOWN from anywhere) or within one state: not an arrow between boxes.
      if (from === undefined || to === undefined || from === to || seen.has(`${from}>${to}`)) continue;
      seen.add(`${from}>${to}`);
      edges.push({ from, to });
    }
  }
  return {
    width: 2 * MARGIN_X + columns * BOX_W + (columns - 1) * GAP_X,
    height: 2 * ARC_ROOM + 2 * BOX_H + GAP_Y,
    states,
    edges,
  };
}

/**
 * The arrowhead every chart uses, defined once per page (ids are unique in a document): put this
 * in the page next to the charts.
 */
export function chartDefs(): string {
  return (
    `<svg class="defs" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false"><defs>` +
    `<marker id="${ARROW_ID}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs></svg>`
  );
}

/** `<svg>` markup: each state is a `<g class="state" data-state="key">` the page highlights. */
export function chartSvg(chart: Chart): string {
  const layout = layoutChart(chart);
  const byKey = new Map(layout.states.map((s) => [s.key, s]));
  const arrows = layout.edges.map(({ from, to }) => {
    const a = byKey.get(from);
    const b = byKey.get(to);
    return a && b ? `<path class="edge" d="${edgePath(a, b)}" marker-end="url(#${ARROW_ID})"><title>${escapeXml(`${from} → ${to}`)}</title></path>` : '';
  });
  const boxes = layout.states.map((s) => {
    const hint = s.children.length > 0 ? s.children.join(' · ') : '';
    return (
      `<g class="state" data-state="${escapeXml(s.key)}"><title>${escapeXml(s.key + (hint ? `: ${hint}` : ''))}</title>` +
      `<rect x="${s.x}" y="${s.y}" width="${BOX_W}" height="${BOX_H}" rx="10"/>` +
      `<text class="name" x="${s.x + BOX_W / 2}" y="${s.y + (hint ? 20 : 29)}"${fit(s.key)}>${escapeXml(s.key)}</text>` +
      (hint ? `<text class="hint" x="${s.x + BOX_W / 2}" y="${s.y + 37}">${escapeXml(shorten(hint, 22))}</text>` : '') +
      `</g>`
    );
  });
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="${escapeXml(chart.id)} chart">` +
    `<g class="edges">${arrows.join('')}</g><g class="states">${boxes.join('')}</g></svg>`
  );
}

interface Point {
  x: number;
  y: number;
}

/**
 * A quadratic curve between two boxes. Neighbours in one row get a slight bend (so that a→b and
 * b→a do not overlap); states further apart in a row arc outside the rows, over the boxes between.
 */
function edgePath(a: PlacedState, b: PlacedState): string {
  const ca = { x: a.x + BOX_W / 2, y: a.y + BOX_H / 2 };
  const cb = { x: b.x + BOX_W / 2, y: b.y + BOX_H / 2 };
  const mid = { x: (ca.x + cb.x) / 2, y: (ca.y + cb.y) / 2 };
  let control: Point;
  if (a.row === b.row) {
    const distance = Math.abs(a.col - b.col);
    const forward = a.col < b.col;
    const outward = a.row === 0 ? -1 : 1;
    // Left-to-right and right-to-left moves between the same states get different bends.
    const bend = distance === 1 ? (forward ? 0 : 36) : 30 + 14 * distance + (forward ? 0 : 12);
    control = { x: mid.x, y: mid.y + outward * bend };
  } else {
    // Across rows: bend sideways, one way or the other by direction, so a pair does not overlap.
    const dx = cb.x - ca.x;
    const dy = cb.y - ca.y;
    const length = Math.hypot(dx, dy) || 1;
    control = { x: mid.x + (-dy / length) * 14, y: mid.y + (dx / length) * 14 };
  }
  const start = boxExit(ca, control);
  const end = boxExit(cb, control);
  return `M${round(start.x)},${round(start.y)} Q${round(control.x)},${round(control.y)} ${round(end.x)},${round(end.y)}`;
}

/** Where the line from a box's centre towards `toward` leaves the box. */
function boxExit(center: Point, toward: Point): Point {
  const dx = toward.x - center.x;
  const dy = toward.y - center.y;
  if (dx === 0 && dy === 0) return center;
  const scale = Math.min(dx === 0 ? Infinity : BOX_W / 2 / Math.abs(dx), dy === 0 ? Infinity : BOX_H / 2 / Math.abs(dy));
  return { x: center.x + dx * scale, y: center.y + dy * scale };
}

/** A long state name is squeezed into its box rather than spilling over its neighbours. */
function fit(name: string): string {
  return name.length > 13 ? ` textLength="${BOX_W - 12}" lengthAdjust="spacingAndGlyphs"` : '';
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
