/** Columns padded to their widest cell; with `alignNumbers`, number-looking cells right-aligned. */
export function textTable(rows: string[][], header?: string[], alignNumbers = true): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const numeric = /^[-+]?[\d.,]+( ?[a-z%×/]+)?$/i;
  const line = (row: string[]) =>
    row.map((cell, i) => (alignNumbers && i > 0 && numeric.test(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return out.join('\n');
}

export const ms = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '-' : `${Math.round(value)} ms`);
export const sec = (value: number): string => `${(value / 1000).toFixed(2)} s`;
export const num = (value: number, digits = 1): string => (Number.isNaN(value) ? '-' : value.toFixed(digits));
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
