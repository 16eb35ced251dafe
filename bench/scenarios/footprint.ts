import { HuddleDaemon } from '../lib/huddleDaemon.js';
import type { BenchOptions } from '../lib/options.js';
import { Pm2 } from '../lib/pm2.js';
import { waitAnswering } from '../lib/probe.js';
import { cpuDelta, cpuTimes, residentBytes, type CpuTimes } from '../lib/procStats.js';
import { ratioOf, type Row, type ScenarioResult } from '../lib/report.js';
import { single, summarise, type Summary } from '../lib/stats.js';
import { delay } from '../lib/waitFor.js';
import { addApp, makeWorkspace, type BenchApp } from '../lib/workspace.js';

// 3. footprint: each daemon's resident memory and CPU time at rest with N apps, huddle's polling
// every 10 s (health checks at their default 10 s) and PM2 with its defaults. Both run at once
// in the same window (at rest, neither takes enough CPU to slow the other); only the daemon
// process is measured, never the apps. huddle's CPU is given twice: the daemon alone (what the
// target is about, as for PM2), and with the git processes it ran and waited for (its children's
// time): what polling costs the machine.

const SCENARIO = 'footprint';
const POLL_SECONDS = 10;
/** After every app serves: the first polls and health checks pass before the window opens. */
const SETTLE_MS = 5_000;
const CPU_TARGET_PERCENT = 2;
const GROWTH_TARGET_MB = 0.5;
const PM2_REFERENCE_MB: Record<number, number> = { 1: 55, 20: 58 };
const MB = 1024 * 1024;

/** CPU slices long enough to hold two rounds of polls: apps started together poll in step. */
function sliceSecondsOf(windowSeconds: number): number {
  return Math.max(1, Math.round(windowSeconds / 3));
}

interface Window {
  rssMb: number[];
  /** % of one core per slice: own time, and own + reaped children. */
  cpuOwn: number[];
  cpuWithChildren: number[];
}

/** RSS at every sample, CPU per slice (between two samples that close one), for one pid. */
function windowSampler(pid: number) {
  const w: Window = { rssMb: [], cpuOwn: [], cpuWithChildren: [] };
  let sliceStart = performance.now();
  let sliceCpu: CpuTimes = cpuTimes(pid);
  return {
    window: w,
    sample(now: number, closeSlice: boolean) {
      w.rssMb.push(residentBytes(pid) / MB);
      if (!closeSlice) return;
      const cpu = cpuTimes(pid);
      const used = cpuDelta(sliceCpu, cpu);
      const seconds = (now - sliceStart) / 1000;
      w.cpuOwn.push((100 * used.own) / seconds);
      w.cpuWithChildren.push((100 * (used.own + used.children)) / seconds);
      sliceStart = now;
      sliceCpu = cpu;
    },
  };
}

async function measureSize(size: number, options: BenchOptions): Promise<{ huddle: Window; pm2: Window }> {
  const ws = await makeWorkspace();
  const apps: BenchApp[] = [await addApp(ws, 'app0', { config: { timing: { minimum: POLL_SECONDS } } })];
  for (let i = 1; i < size; i++) {
    apps.push(await addApp(ws, `app${i}`, { copyOf: apps[0]!.repo, config: { timing: { minimum: POLL_SECONDS } } }));
  }
  const daemon = await new HuddleDaemon(ws).ready();
  await daemon.waitHealthy(apps.map((a) => a.name), 60_000 + size * 2_000);
  const pm2 = await Pm2.create();
  const pm2Apps = await pm2.startApps('app', size);
  await waitAnswering(pm2Apps.map((a) => a.port), 60_000 + size * 1_000, `${size} PM2 apps to answer`);
  await delay(SETTLE_MS);

  const sliceSeconds = sliceSecondsOf(options.windowSeconds);
  const huddle = windowSampler(daemon.pid);
  const pm2Sampler = windowSampler(pm2.daemonPid());
  const start = performance.now();
  for (let second = 1; second <= options.windowSeconds; second++) {
    // Sampled on a schedule from the start, so the window lasts its length whatever a read costs.
    await delay(Math.max(0, start + second * 1000 - performance.now()));
    const now = performance.now();
    const closeSlice = second % sliceSeconds === 0 || second === options.windowSeconds;
    huddle.sample(now, closeSlice);
    pm2Sampler.sample(now, closeSlice);
  }
  // `fetching` is a poll in progress: at rest too.
  const troubled = (await daemon.apps()).filter((a) => a.state !== 'healthy' && a.state !== 'fetching');
  if (troubled.length > 0) options.log(`  warning: at the end of the window, ${troubled.map((a) => `${a.name} is ${a.state}`).join(', ')}`);
  await daemon.stop();
  await pm2.stop();
  return { huddle: huddle.window, pm2: pm2Sampler.window };
}

export async function footprint(options: BenchOptions): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const medians = new Map<number, { huddle: number; pm2: number }>();
  for (const size of options.sizes) {
    options.log(`  ${size} app(s): starting, then ${options.windowSeconds} s at rest`);
    const { huddle, pm2 } = await measureSize(size, options);
    const rss = summarise(huddle.rssMb);
    const pm2Rss = summarise(pm2.rssMb);
    medians.set(size, { huddle: rss.median, pm2: pm2Rss.median });
    const measure = (what: string) => `${what}, ${size} app${size === 1 ? '' : 's'}`;
    const ref = PM2_REFERENCE_MB[size];
    rows.push(
      { scenario: SCENARIO, measure: measure('daemon RSS'), tool: 'huddle', unit: 'MB', summary: rss, ratio: ratioOf(rss, pm2Rss), target: { text: '< PM2', pass: rss.median < pm2Rss.median } },
      { scenario: SCENARIO, measure: measure('daemon RSS'), tool: 'PM2', unit: 'MB', summary: pm2Rss, ...(ref ? { reference: `PM2 ${ref} MB` } : {}) },
    );
    const cpu = summarise(huddle.cpuOwn);
    const cpuAll = summarise(huddle.cpuWithChildren);
    const pm2Cpu = summarise(pm2.cpuOwn);
    const cpuTarget = size >= 100 ? { target: { text: `< ${CPU_TARGET_PERCENT}% core`, pass: cpu.median < CPU_TARGET_PERCENT } } : {};
    rows.push(
      { scenario: SCENARIO, measure: measure('CPU at rest, daemon alone'), tool: 'huddle', unit: '% core', summary: cpu, ratio: ratioOf(cpu, pm2Cpu), ...cpuTarget },
      { scenario: SCENARIO, measure: measure('CPU at rest, daemon + git'), tool: 'huddle', unit: '% core', summary: cpuAll, ratio: ratioOf(cpuAll, pm2Cpu) },
      { scenario: SCENARIO, measure: measure('CPU at rest, daemon'), tool: 'PM2', unit: '% core', summary: pm2Cpu },
    );
    options.log(`  ${size} app(s): huddle ${rss.median.toFixed(1)} MB ${cpuAll.median.toFixed(2)}% core, PM2 ${pm2Rss.median.toFixed(1)} MB ${pm2Cpu.median.toFixed(2)}% core`);
  }
  const sizes = [...medians.keys()].sort((a, b) => a - b);
  const smallest = sizes[0]!;
  for (const size of sizes.slice(1)) {
    const growth = (tool: 'huddle' | 'pm2'): Summary => single((medians.get(size)![tool] - medians.get(smallest)![tool]) / (size - smallest));
    const h = growth('huddle');
    const p = growth('pm2');
    const measure = `RSS growth per app, ${smallest} → ${size} apps`;
    rows.push(
      { scenario: SCENARIO, measure, tool: 'huddle', unit: 'MB', summary: h, ratio: ratioOf(h, p), target: { text: `≤ ${GROWTH_TARGET_MB} MB`, pass: h.median <= GROWTH_TARGET_MB } },
      { scenario: SCENARIO, measure, tool: 'PM2', unit: 'MB', summary: p },
    );
  }
  return {
    rows,
    notes: [
      `${SCENARIO}: ${options.windowSeconds} s window per size after ${SETTLE_MS / 1000} s of settling; RSS sampled every second (median/min/max of the samples), CPU per ${sliceSecondsOf(options.windowSeconds)} s slice (median/min/max of the slices); huddle polls every ${POLL_SECONDS} s (apps started together poll together: the load comes in bursts), huddle and PM2 measured in the same window.`,
    ],
  };
}
