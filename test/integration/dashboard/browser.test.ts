// The dashboard in a real browser (headless Debian chromium through playwright-core): first fed
// by hand from a DashboardHub, then served by a real daemon while its app deploys a new commit.
import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DashboardHub } from '../../../src/dashboard/index.js';
import type { HttpServer } from '../../../src/http/httpServer.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { makeTempDir } from '../../fixtures/git/tempDirs.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { browserSkipReason, launchChromium } from './chromium.js';
import { oneApp, serveDashboard } from './dashboardServer.js';
import { SseClient } from './sseClient.js';

cleanUpAfterEach();

const skipReason = browserSkipReason();
let browser: Browser | undefined;
const hubs: DashboardHub[] = [];
const servers: HttpServer[] = [];
const streams: SseClient[] = [];

beforeEach((context) => {
  if (skipReason !== null) {
    console.warn(skipReason);
    context.skip(skipReason);
  }
});

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  for (const stream of streams.splice(0)) stream.close();
  for (const hub of hubs.splice(0)) hub.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A page on `url` that records every request it makes and every error it reports. */
async function openPage(url: string): Promise<{ page: Page; requests: string[]; errors: string[]; status: number }> {
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const response = await page.goto(url);
  return { page, requests, errors, status: response?.status() ?? 0 };
}

/** What the card of `app` shows, read in one go (the state changes under a test that polls), or null. */
interface CardView {
  state: string;
  commit: string;
  restarts: string;
  pid: string;
  health: string;
  uptimeLabel: string;
  error: string;
  /** The states highlighted in its chart. */
  highlighted: string[];
}

async function cardView(page: Page, app: string): Promise<CardView | null> {
  // A string, not a function: the project's TypeScript has no DOM types.
  return page.evaluate(`(() => {
    const card = [...document.querySelectorAll('article.card')].find((c) => c.dataset.app === ${JSON.stringify(app)});
    if (!card) return null;
    const text = (selector) => card.querySelector(selector).textContent;
    return {
      state: text('.badge'), commit: text('.commit'), restarts: text('.restarts'), pid: text('.pid'),
      health: text('.health'), uptimeLabel: text('.uptime-label'), error: text('.error'),
      highlighted: [...card.querySelectorAll('g.state.current')].map((g) => g.dataset.state),
    };
  })()`);
}

/** Wait until the card of `app` satisfies `cond`; the error shows what it showed last. */
async function waitForCard(page: Page, app: string, cond: (view: CardView) => boolean, what: string, timeoutMs = 10_000): Promise<CardView> {
  let last: CardView | null = null;
  try {
    return await waitFor(async () => ((last = await cardView(page, app)) !== null && cond(last) ? last : null), {
      timeoutMs,
      intervalMs: 25,
      what: `${app}: ${what}`,
    });
  } catch (error) {
    throw new Error(`${(error as Error).message} (last: ${JSON.stringify(last)})`);
  }
}

async function screenshot(page: Page): Promise<string> {
  const file = join(await makeTempDir('hd-shot-'), 'dashboard.png');
  await page.screenshot({ path: file, fullPage: true });
  const { size } = await stat(file);
  expect(size).toBeGreaterThan(1000);
  expect((await readFile(file)).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return file;
}

describe('the dashboard page in chromium', () => {
  it('shows the published statuses live, chart highlighted, fetching nothing from elsewhere', async () => {
    const hub = new DashboardHub();
    hubs.push(hub);
    hub.publish(oneApp({ state: 'fetching' }));
    const server = await serveDashboard(hub);
    servers.push(server);
    const { page, requests, errors } = await openPage(`${server.url}/`);

    await waitForCard(page, 'web', (v) => v.state === 'fetching' && v.highlighted.join() === 'fetching', 'fetching, highlighted');
    await waitFor(async () => (await page.locator('#conn').textContent()) === 'live', { timeoutMs: 5000, what: 'the page to be live' });

    const commit = 'c0ffee1234567890c0ffee1234567890c0ffee12';
    hub.publish(oneApp({ state: 'healthy', commit, pid: 4242, restarts: 2, health: 'passing: HTTP 200' }));
    const healthy = await waitForCard(page, 'web', (v) => v.state === 'healthy', 'healthy');
    expect(healthy).toEqual({
      state: 'healthy',
      commit: 'c0ffee1',
      restarts: '2',
      pid: '4242',
      health: 'passing: HTTP 200',
      uptimeLabel: 'uptime',
      error: '',
      highlighted: ['healthy'],
    });

    const [web] = oneApp({ state: 'healthy', commit, pid: 4242 }).apps;
    const [db] = oneApp({ name: 'db<img src=x>', state: 'failed', error: 'update failed: <b>disk full</b>' }).apps;
    hub.publish({ apps: [web!, db!] });
    const failed = await waitForCard(page, 'db<img src=x>', (v) => v.state === 'failed', 'failed');
    // Text stays text: nothing in a status becomes markup.
    expect(failed.error).toBe('update failed: <b>disk full</b>');
    expect(failed.highlighted).toEqual(['failed']);
    expect(await page.locator('article.card img, article.card b').count()).toBe(0);
    expect(await page.locator('article.card').count()).toBe(2);

    hub.publish({ apps: [db!] });
    await waitFor(async () => (await page.locator('article.card').count()) === 1, { timeoutMs: 5000, what: 'the removed app to go' });

    await screenshot(page);
    expect(requests.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('the dashboard of a real daemon in chromium', () => {
  it('sees the app go healthy, then change commit after a push; saves a screenshot; shuts down promptly', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web');
    const daemon = await startDaemon(ws, { args: ['--http', '127.0.0.1:0'] });
    const line = await daemon.waitForLog((l) => l.event === 'http', 'the http endpoint line');
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(String(line.message))?.[0];
    expect(base, 'the http endpoint URL in its log line').toBeDefined();
    const events = new SseClient(`${base}/api/events`);
    streams.push(events);

    const { page, requests, errors, status } = await openPage(`${base}/`);
    expect(status, 'GET / of the daemon (404: the dashboard routes are not wired into its HTTP server)').toBe(200);
    const first = web.remote.head.slice(0, 7);
    await waitForCard(page, 'web', (v) => v.state === 'healthy' && v.highlighted.join() === 'healthy' && v.commit === first, `healthy on ${first}`, 20_000);

    const next = await pushCommit(web.remote, { VERSION: '2\n' });
    const second = next.slice(0, 7);
    await waitForCard(page, 'web', (v) => v.state === 'healthy' && v.highlighted.join() === 'healthy' && v.commit === second, `healthy on ${second}`, 20_000);
    // The stream carried the deploy on its way: the new commit was starting before it was healthy.
    const states = events.statuses().map((s) => s.apps.find((a) => a.name === 'web'));
    expect(states.some((a) => a?.commit === next && a.state === 'starting')).toBe(true);

    await screenshot(page);
    expect(requests.filter((url) => !url.startsWith(`${base}/`))).toEqual([]);
    expect(errors).toEqual([]);

    // Open event streams (the page's and ours) do not hold the daemon's shutdown.
    const started = Date.now();
    const exit = await daemon.stop();
    expect(exit.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    await events.waitEnded();
  });
});
