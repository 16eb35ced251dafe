import type { SoakContext } from './context.js';
import type { MonitorStats } from './monitor.js';
import type { Availability } from './probes.js';
import type { SchedulerStats } from './scheduler.js';

// The final report: faults injected per kind and app, and per app its recoveries and the share of
// time it served outside planned windows.

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  const line = (row: string[]) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function servedShare(stats: Availability): number {
  return stats.outsideMs === 0 ? 1 : stats.servedMs / stats.outsideMs;
}

export function formatSummary(
  ctx: SoakContext,
  scheduler: SchedulerStats,
  availability: Map<string, Availability>,
  monitor: MonitorStats,
  settleMs: number | null,
  interrupted: boolean,
): string {
  const outcome = ctx.violations.length > 0 ? `FAIL (${ctx.violations.length} violation(s))` : interrupted ? 'INTERRUPTED' : 'PASS';
  const apps = ctx.world.apps.map((a) => a.name);
  const kinds = [...new Set([...ctx.faultCounts.keys()].map((key) => key.split('\t')[0] ?? ''))].sort();
  const faultRows = kinds.map((kind) => [
    kind,
    ...[...apps, '*'].map((app) => String(ctx.faultCounts.get(`${kind}\t${app}`) ?? (app === '*' ? '' : 0))),
  ]);

  const appRows = ctx.world.apps.map((app) => {
    const view = ctx.view(app.name);
    const windows = ctx.windows.all.filter((w) => w.app === app.name);
    const closed = windows.filter((w) => w.closedAt !== null).map((w) => (w.closedAt ?? 0) - w.openedAt);
    const stats = availability.get(app.name);
    const share = stats ? servedShare(stats) : 0;
    return [
      app.name,
      String(windows.length),
      closed.length ? seconds(closed.reduce((a, b) => a + b, 0) / closed.length) : '-',
      closed.length ? seconds(Math.max(...closed)) : '-',
      stats ? seconds(stats.plannedMs) : '-',
      stats ? seconds(stats.outsideMs) : '-',
      `${(share * 100).toFixed(2)}%`,
      stats ? seconds(stats.longestOutageMs) : '-',
      `v${app.newestGood.version} ${app.newestGood.sha.slice(0, 7)}`,
      String(view.status?.restarts ?? '-'),
    ];
  });

  return [
    '',
    `== soak summary: seed ${ctx.prng.seed}, ${outcome} ==`,
    '',
    'faults injected (app columns; * = the daemon):',
    table([['fault', ...apps, '*'], ...faultRows]),
    `(${scheduler.skipped} picks skipped: no app fit the fault's preconditions at that moment)`,
    '',
    'per app:',
    table([
      ['app', 'planned', 'recovery avg', 'recovery max', 'planned time', 'unplanned time', 'served unplanned', 'longest outage', 'newest good', 'restarts'],
      ...appRows,
    ]),
    '',
    `daemon starts: ${ctx.daemonStarts}; /proc samples: ${monitor.samples} (most soak processes at once: ${monitor.maxProcesses}); ` +
      `state files parsed: ${monitor.stateFilesRead}; settle after the last fault: ${settleMs === null ? '-' : seconds(settleMs)}`,
    ...ctx.violations.map((v) => `VIOLATION at ${seconds(v.at)}: ${v.message}`),
  ].join('\n');
}
