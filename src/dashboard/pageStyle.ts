// The dashboard's stylesheet, inlined in the page (no file to serve, nothing fetched).
export const PAGE_STYLE = `
:root { color-scheme: light dark; --bg: #f4f5f7; --card: #fff; --fg: #1d2330; --muted: #667085; --line: #d0d5dd;
  --ok: #12805c; --warn: #b54708; --bad: #c01048; --busy: #175cd3; --idle: #667085; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111418; --card: #1b2028; --fg: #e6e8eb; --muted: #98a2b3; --line: #344054; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
body > header { display: flex; align-items: baseline; gap: 16px; padding: 12px 20px; border-bottom: 1px solid var(--line); }
body > header h1 { margin: 0; font-size: 20px; }
.conn { font-size: 12px; padding: 2px 8px; border-radius: 999px; background: var(--line); }
.conn[data-live="true"] { background: var(--ok); color: #fff; }
.updated { color: var(--muted); font-size: 12px; margin-left: auto; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 640px), 1fr)); gap: 16px; padding: 16px 20px; }
.empty { padding: 0 20px; color: var(--muted); }
.empty[hidden] { display: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; }
.card > header { display: flex; align-items: center; justify-content: space-between; gap: 12px; }
.card h2 { margin: 0; font-size: 17px; overflow-wrap: anywhere; }
.badge { font-weight: 600; font-size: 13px; padding: 2px 10px; border-radius: 999px; color: #fff; background: var(--busy); }
.card[data-state="healthy"] .badge { background: var(--ok); }
.card[data-state="unhealthy"] .badge, .card[data-state="failed"] .badge, .card[data-state="crashed"] .badge { background: var(--bad); }
.card[data-state="idle"] .badge, .card[data-state="stopped"] .badge, .card[data-state="off"] .badge,
.card[data-state="waiting"] .badge { background: var(--idle); }
dl { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 4px 12px; margin: 12px 0 8px; }
dt { color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.commit { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.health[data-health="passing"] { color: var(--ok); }
.health[data-health="failing"] { color: var(--bad); }
.error, .waiting { margin: 6px 0; padding: 6px 10px; border-radius: 8px; overflow-wrap: anywhere; }
.error { background: color-mix(in srgb, var(--bad) 12%, transparent); color: var(--bad); }
.waiting { background: color-mix(in srgb, var(--warn) 12%, transparent); color: var(--warn); }
.error[hidden], .waiting[hidden] { display: none; }
svg.chart { width: 100%; height: auto; margin-top: 6px; }
svg.defs { position: absolute; width: 0; height: 0; }
.chart .edge { fill: none; stroke: var(--line); stroke-width: 1.4; }
.arrowhead { fill: var(--muted); }
.chart .state rect { fill: var(--bg); stroke: var(--line); stroke-width: 1.5; }
.chart .state text { text-anchor: middle; fill: var(--fg); }
.chart .state .name { font-size: 15px; font-weight: 600; }
.chart .state .hint { font-size: 10px; fill: var(--muted); }
.chart .state.current rect { fill: var(--busy); stroke: var(--busy); }
.card[data-state="healthy"] .chart .state.current rect { fill: var(--ok); stroke: var(--ok); }
.card[data-state="unhealthy"] .chart .state.current rect, .card[data-state="failed"] .chart .state.current rect { fill: var(--bad); stroke: var(--bad); }
.chart .state.current text { fill: #fff; }
`;
