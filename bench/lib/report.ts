import type { Summary } from './stats.js';

// What every scenario hands back: rows of figures, one per measure and tool, printed as one table
// (and, with --results, written into bench/RESULTS.md).

export type Unit = 'ms' | 'MB' | '% core' | 'ms CPU' | 'count' | 'bytes' | 'KB';

export interface Target {
  /** As the issue states it, e.g. `≤ 150 ms`. */
  text: string;
  pass: boolean;
}

export interface Row {
  scenario: string;
  measure: string;
  /** `huddle`, `PM2`, or a variant such as `huddle (CLI)`. */
  tool: string;
  unit: Unit;
  summary: Summary;
  /** huddle/PM2 of the medians, on huddle's row when PM2 did the same job. */
  ratio?: number;
  /** A published figure to compare with, e.g. `orig. huddle 495 ms`. */
  reference?: string;
  target?: Target;
}

/** Notes the scenarios add under the table (what a figure includes, anything odd seen). */
export interface ScenarioResult {
  rows: Row[];
  notes: string[];
}

export function ratioOf(huddle: Summary, pm2: Summary): number | undefined {
  return Number.isFinite(huddle.median) && Number.isFinite(pm2.median) && pm2.median !== 0 ? huddle.median / pm2.median : undefined;
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'ms':
    case 'bytes':
      return value >= 100 ? value.toFixed(0) : value.toFixed(1);
    case 'ms CPU':
      return value.toFixed(1);
    case 'MB':
      // Growth per app is a fraction of a MB, and its target is 0.5 MB.
      return Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
    case '% core':
      return value.toFixed(2);
    case 'KB':
    case 'count':
      return value.toFixed(value % 1 === 0 ? 0 : 2);
  }
}

const HEADERS = ['scenario', 'measure', 'tool', 'median', 'min', 'max', 'n', 'unit', 'huddle/PM2', 'reference', 'target', 'result'];

function cells(row: Row): string[] {
  const { summary: s, unit } = row;
  return [
    row.scenario,
    row.measure,
    row.tool,
    formatValue(s.median, unit),
    formatValue(s.min, unit),
    formatValue(s.max, unit),
    String(s.n),
    unit,
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
    row.reference ?? '',
    row.target?.text ?? '',
    row.target === undefined ? '' : row.target.pass ? 'pass' : 'FAIL',
  ];
}

/** A fixed-width table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, col) => Math.max(...table.map((line) => line[col]!.length)));
  const numeric = new Set([3, 4, 5, 6]);
  const render = (line: string[]) =>
    line.map((cell, col) => (numeric.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!))).join('  ').trimEnd();
  return [render(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(render)].join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const line = (parts: string[]) => `| ${parts.map((p) => p.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(HEADERS), line(HEADERS.map(() => '---')), ...rows.map((row) => line(cells(row)))].join('\n');
}
