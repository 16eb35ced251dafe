import { shortCommit } from '../logNames.js';
import type { AppStatus, StatusJson } from './types.js';

// `huddle status` for humans: one row per app, columns as wide as their widest cell (the error
// column is cut so a long message does not wrap every row).

const MAX_ERROR_WIDTH = 60;

/** `45s`, `12m 3s`, `3h 4m`, `2d 5h`: two units are enough to read at a glance. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

function uptime(app: AppStatus, now: Date): string {
  // Uptime is the running process's: an app without one has none.
  if (app.pid === null) return '-';
  const since = Date.parse(app.since);
  return Number.isNaN(since) ? '-' : formatDuration(now.getTime() - since);
}

function cut(text: string, width: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, width - 1)}…`;
}

export function formatStatusTable(status: StatusJson, now: Date): string {
  if (status.apps.length === 0) return 'no apps configured\n';
  const header = ['APP', 'STATE', 'COMMIT', 'UPTIME', 'RESTARTS', 'HEALTH', 'ERROR'];
  const rows = [...status.apps]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((app) => [
      app.name,
      app.waitingFor?.length ? `${app.state} for ${app.waitingFor.join(', ')}` : app.state,
      shortCommit(app.commit) ?? '-',
      uptime(app, now),
      String(app.restarts),
      app.health || '-',
      app.error ? cut(app.error, MAX_ERROR_WIDTH) : '-',
    ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
