import { createHash } from 'node:crypto';
import { appMachine } from '../../machines/index.js';
import { chartOf } from '../chart/chartModel.js';
import type { StatusJson } from '../control/types.js';
import { chartDefs, chartSvg } from './chartSvg.js';
import { PAGE_SCRIPT } from './pageScript.js';
import { PAGE_STYLE } from './pageStyle.js';

// The dashboard page: one self-contained HTML document (style, script, chart inline), so it works
// on a device with no network but the one to huddle.

export interface DashboardPage {
  html: string;
  /** Allows exactly the inline style and script of this page and connections back to huddle. */
  contentSecurityPolicy: string;
}

let chart: string | undefined;

/** The app chart, drawn once: it is the same for every app and never changes while huddle runs. */
function appChartSvg(): string {
  chart ??= chartSvg(chartOf(appMachine));
  return chart;
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${hash(PAGE_STYLE)}`,
  `script-src ${hash(PAGE_SCRIPT)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page, starting from `status` (then kept up to date by the event stream). */
export function dashboardPage(status: StatusJson, now: Date): DashboardPage {
  // `<` escaped: an app name or error holding `</script>` must not end the data block.
  const initial = JSON.stringify({ now: now.toISOString(), status }).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>huddle</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>huddle</h1><span id="conn" class="conn" data-live="false">connecting…</span><span id="updated" class="updated"></span></header>
${chartDefs()}
<main id="apps" aria-live="polite"></main>
<p id="empty" class="empty" hidden>No apps configured.</p>
<template id="card-template"><article class="card">
<header><h2 class="name"></h2><span class="badge"></span></header>
<dl>
<dt>commit</dt><dd class="commit"></dd>
<dt class="uptime-label">uptime</dt><dd class="uptime"></dd>
<dt>restarts</dt><dd class="restarts"></dd>
<dt>pid</dt><dd class="pid"></dd>
<dt>health</dt><dd class="health"></dd>
</dl>
<p class="waiting" hidden></p>
<p class="error" hidden></p>
${appChartSvg()}
</article></template>
<script type="application/json" id="initial">${initial}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
  return { html, contentSecurityPolicy: CONTENT_SECURITY_POLICY };
}
